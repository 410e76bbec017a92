// The tool imports `NFTAnalysis` for the printer and the analyses, and the model with it.
@_exported import NFTModel
