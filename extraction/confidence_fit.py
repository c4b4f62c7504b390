"""Fitting the confidence calibrator (scikit-learn, fixed seed): logistic regression on standardised features,
then a Platt map fitted on the regression's out-of-fold scores, so the map sees scores the regression did not
train on (a monotone map keeps the ranking the auto-write threshold cuts). Only training imports scikit-learn; applying the model is arithmetic (`confidence.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from extraction.clause_finder.train import fold_of
from extraction.confidence import CalibratorModel

C = 0.1  # L2 strength: ~1,500 values and ~90 features; chosen among 0.5, 0.1, 0.03 on held-out folds


def vocabulary(rows: Sequence[dict[str, float]]) -> list[str]:
    return sorted({name for row in rows for name in row})


def matrix(rows: Sequence[dict[str, float]], names: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    for r, row in enumerate(rows):
        for name, value in row.items():
            if name in index:
                x[r, index[name]] = value
    return x


def group_folds(groups: Sequence[str], k: int, seed: int = 0) -> np.ndarray:
    """Fold number per row, every row of one contract in the same fold: the eval's `--cv` folds (a hash of the
    contract id), so calibration folds line up with the folds the predictions were made out of."""
    return np.array([fold_of(g, k, seed) for g in groups], dtype=int)


def _regression(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    fitted = LogisticRegression(C=C, max_iter=5000, random_state=seed).fit((x - mean) / scale, y)
    return mean, scale, fitted.coef_[0], float(fitted.intercept_[0])


def _raw(x: np.ndarray, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-(((x - mean) / scale) @ coef + intercept))))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def fit_calibrator(rows: Sequence[dict[str, float]], right: Sequence[bool], groups: Sequence[str],
                   threshold: float, calibration_groups: set[str] | None = None, seed: int = 0,
                   inner_folds: int = 5) -> CalibratorModel:
    """A calibrator fitted on these values. The regression learns from all of them; the Platt map (a * z + b on
    the regression's logit z) is fitted on the regression's out-of-fold scores of `calibration_groups`' values
    only (default: all), so probabilities match contracts like those, e.g. contracts no rule was written on."""
    names = vocabulary(rows)
    x, y = matrix(rows, names), np.array(right, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("calibration needs both right and wrong values to learn from")
    mean, scale, coef, intercept = _regression(x, y, seed)
    folds = group_folds(groups, inner_folds, seed)
    out_of_fold = np.full(len(y), float(y.mean()))
    for k in range(inner_folds):
        train, held = folds != k, folds == k
        if held.any() and len(set(y[train].tolist())) > 1:
            out_of_fold[held] = _raw(x[held], *_regression(x[train], y[train], seed))
    chosen = np.array([calibration_groups is None or g in calibration_groups for g in groups])
    if not chosen.any() or len(set(y[chosen].tolist())) < 2:
        raise ValueError("the calibration contracts need both right and wrong values")
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e6, max_iter=5000, random_state=seed).fit(
        _logit(out_of_fold[chosen]).reshape(-1, 1), y[chosen])
    return CalibratorModel(features=names, mean=[float(v) for v in mean], scale=[float(v) for v in scale],
                           coef=[float(v) for v in coef], intercept=intercept,
                           platt_a=float(platt.coef_[0][0]), platt_b=float(platt.intercept_[0]), threshold=threshold,
                           training={"values": len(y), "right": int(y.sum()), "contracts": len(set(groups)),
                                     "calibration_values": int(chosen.sum()), "seed": seed, "C": C})
