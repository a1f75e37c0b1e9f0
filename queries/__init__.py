"""Named, parameterised Cypher queries and their runner."""
