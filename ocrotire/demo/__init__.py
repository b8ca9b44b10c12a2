"""Demo data and synthetic data: the demo loader and its stories per app (`loader`), the
generators for benchmarks (`synthetic`), and their commands. The top of the layer order: it may
import every app, and no app imports it."""
