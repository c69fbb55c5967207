"""Synthetic data: drawn example clips and PaintBucket-Character-style datasets.

``pbc synth`` (:mod:`paintbucket.synth.dataset`) renders procedural 3D characters
(:mod:`~paintbucket.synth.character`, :mod:`~paintbucket.synth.skeleton`) with a NumPy
ray caster (:mod:`~paintbucket.synth.render`) into clip folders and color design sheets;
:func:`~paintbucket.synth.contact.contact_sheet` draws an overview PNG.
"""
