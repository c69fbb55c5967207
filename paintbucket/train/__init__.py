"""Training the models on ``pbc synth`` data, resumable and logged.

``loop`` holds what every model's training shares (:class:`~paintbucket.train.loop.Trainer`,
the configuration, the optimizer loop, checkpoints); ``consecutive``, ``keyframe`` and
``views`` add each model's data and loss, with their samples built in ``pairs`` and
``keyframe_pairs``; ``registry`` maps every model kind to its trainer. Nothing is
imported here, so reading the sample builders loads no torch.
"""
