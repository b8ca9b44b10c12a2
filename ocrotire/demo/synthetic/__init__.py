"""Synthetic data at any scale, for benchmarks and for training the linkage model (never
production): persons with known ground truth (`persons`, with `names`), and the generator of
reports, cases, tasks and timelines (`generation` runs the steps of `people`, `reports` and
`analytics`; `simulation` and `cases` serve `reports`)."""
