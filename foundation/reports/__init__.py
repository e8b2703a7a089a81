"""Reports: the same data rendered as text, Markdown (with Mermaid) or JSON."""
