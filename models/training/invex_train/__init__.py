"""Training for invex's layout model: a small LayoutLMv3 token classifier
trained from scratch on synthetic invoices, exported in the Hugging Face
ONNX layout that `invex-models` loads."""
