"""paintbucket: paint bucket colorization of hand-drawn anime line art."""

__version__ = "0.1.0"
