"""Search: keyword and vector indexes, embedders, fusion, the searcher, evaluation and benchmarks."""
