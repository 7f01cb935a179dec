"""The DIME(TM) framework: steps, A-E-I-O-U values, promises, obstacles, rewards and customer measures.

Load it with ``load_framework()`` (cached) or check an adapted copy with
``check_framework_file(path)``; both return a frozen ``Framework`` or raise
``workbook.errors.FrameworkError`` listing every problem in the file.
"""

from __future__ import annotations

from workbook.framework.figures import format_number
from workbook.framework.loader import check_framework_file, load_framework
from workbook.framework.models import (
    CharterFoundation,
    Example,
    FoundationPart,
    Framework,
    Measure,
    Obstacle,
    Practice,
    Promise,
    RecoveryField,
    RecoveryGuide,
    RecoveryStage,
    Reward,
    Scale,
    ScalePoint,
    Statement,
    Step,
    Value,
)
from workbook.framework.rules import VALUE_IDS

__all__ = [
    "VALUE_IDS",
    "CharterFoundation",
    "Example",
    "FoundationPart",
    "Framework",
    "Measure",
    "Obstacle",
    "Practice",
    "Promise",
    "RecoveryField",
    "RecoveryGuide",
    "RecoveryStage",
    "Reward",
    "Scale",
    "ScalePoint",
    "Statement",
    "Step",
    "Value",
    "check_framework_file",
    "format_number",
    "load_framework",
]
