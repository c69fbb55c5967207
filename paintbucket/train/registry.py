"""Every trainer by model kind: ``pbc train KIND`` is a lookup here.

All trainers are :class:`~paintbucket.train.loop.Trainer` objects, called the same way:
``TRAINERS[kind](data_dirs, run_dir, conf, device, resume, max_minutes, progress)``.
"""

from __future__ import annotations

from paintbucket.train import consecutive, keyframe, views
from paintbucket.train.loop import Trainer

#: Trainer of every :data:`~paintbucket.choices.MODEL_KINDS` name, in that order.
TRAINERS: dict[str, Trainer] = {
    trainer.kind: trainer for trainer in (consecutive.TRAINER, keyframe.TRAINER, views.TRAINER)
}
