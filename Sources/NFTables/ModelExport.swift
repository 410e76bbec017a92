// Rules files import only `NFTables`: the model's types (Expression, Statement, Document)
// come with it.
@_exported import NFTModel
