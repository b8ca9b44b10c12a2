"""Synthetic data at any scale, for benchmarks and for training the linkage model (never
production): persons (`persons`), and the generator's steps (`generation` runs them)."""
