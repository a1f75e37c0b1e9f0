// graph_summary: how many models the graph holds (the explorer's status line).
// Returns models.
MATCH (m:Model)
RETURN count(m) AS models
