"""Learned clause finding for the 41 CUAD categories: which passages state each clause, and whether one does.

    finder = load_finder()                  # packaged artifacts, loaded once per process
    finder.find(document)                   # one ClauseFinding per category, quotes cited verbatim
    train_finder(load_labelled(dirs))       # retrain in memory (see `contractloop train clauses`)
"""

from extraction.clause_finder.model import ClauseFinder, FinderArtifactsError, PassageScores, load_finder
from extraction.clause_finder.train import train_finder
from extraction.clause_finder.training_data import LabelledText, load_labelled

__all__ = ["ClauseFinder", "FinderArtifactsError", "LabelledText", "PassageScores", "load_finder",
           "load_labelled", "train_finder"]
