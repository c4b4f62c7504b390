"""`contractloop train confidence --predictions OOF.jsonl --dataset DIR ... [--calibrate-on DIR] [--out FILE]`:
rebuild the packaged confidence calibrator (extraction/confidence_model.json) from out-of-fold
predictions, with the auto-write threshold chosen in grouped cross-validation and its held-out figures stored
beside the weights. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def add_parser(models: argparse._SubParsersAction) -> None:
    from evals.extraction.calibration_command import add_inputs

    parser = models.add_parser("confidence", help="the confidence calibrator and auto-write threshold, from "
                                                  "out-of-fold predictions")
    add_inputs(parser)
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the artifact (default extraction/confidence_model.json)")
    parser.set_defaults(handler=run_confidence)


def run_confidence(args: argparse.Namespace) -> int:
    from evals.extraction.calibration import cross_validate, format_figures
    from evals.extraction.calibration_command import Inputs
    from evals.extraction.dataset import DatasetError
    from extraction.confidence import MODEL_PATH
    from extraction.confidence_fit import fit_calibrator

    started = time.perf_counter()
    try:
        inputs = Inputs(args)
        figures, _ = cross_validate(inputs.examples, k=args.folds, seed=args.seed, target=args.target,
                                    datasets=inputs.datasets, calibration_contracts=inputs.calibration_contracts)
        model = fit_calibrator([e.features for e in inputs.examples], [e.right for e in inputs.examples],
                               [e.contract_id for e in inputs.examples], threshold=figures.threshold,
                               calibration_groups=inputs.calibration_contracts, seed=args.seed,
                               inner_folds=args.folds)
    except (DatasetError, ValueError) as exc:
        print(f"cannot train the confidence calibrator: {exc}", file=sys.stderr)
        return 2
    model.field_thresholds = figures.field_thresholds
    model.training.update({
        "predictions": args.predictions.name, "datasets": [d.name for d in args.dataset],
        "calibrated_on": [d.name for d in args.calibrate_on] if args.calibrate_on else [d.name for d in args.dataset],
        "cv": figures.model_dump(include={"folds", "target", "threshold", "field_thresholds", "fold_thresholds",
                                          "precision_at_threshold", "share_to_review", "written", "sync_values",
                                          "ece", "brier"})})
    out = args.out or MODEL_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(model.model_dump_json(indent=1) + "\n", encoding="utf-8")
    print(format_figures(figures))
    print(f"confidence calibrator: {len(model.features)} features, {model.training['values']} values of "
          f"{model.training['contracts']} contracts, threshold {model.threshold:.3f}, in "
          f"{time.perf_counter() - started:.1f} s -> {out}")
    return 0
