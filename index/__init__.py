"""Passage retrieval: dense (FAISS) and lexical (BM25) search fused, with citations."""
