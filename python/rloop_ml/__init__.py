"""rloop's training package: trainers for the datasets rloop exports (see README.md).

Importing the package or a trainer module does not import torch; each trainer imports it in main(), after the
rows are validated.
"""

__version__ = "0.1.0"
