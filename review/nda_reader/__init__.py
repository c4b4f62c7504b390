"""The NDA reader: for each of ContractNLI's 17 fixed NDA hypotheses, whether a document entails it,
contradicts it or does not mention it, and which of its spans are the evidence. Learned from ContractNLI."""

from review.nda_reader.model import HypothesisVerdict, NdaReader, ReaderArtifactsError, load_reader

__all__ = ["HypothesisVerdict", "NdaReader", "ReaderArtifactsError", "load_reader"]
