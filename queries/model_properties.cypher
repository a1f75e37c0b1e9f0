// model_properties: every property stored on one model node (the explorer's details show the ones the model query does not name).
// @param id model  Model id
// Returns one row, `props`: a map of the node's properties as loaded (extra input columns such
// as `params_millions`, `architecture` or `model_type` included), none when the id is unknown.
MATCH (m:Model {id: $id})
RETURN properties(m) AS props
