"""The model: LayoutLMv3ForTokenClassification from config, text and layout
only (no visual embedding)."""

import torch
from transformers import LayoutLMv3Config, LayoutLMv3ForTokenClassification

SIZES = {
    # hidden = 4 * coordinate_size + 2 * shape_size
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                  intermediate_size=1024, coordinate_size=48, shape_size=32),
    "tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                 intermediate_size=128, coordinate_size=12, shape_size=8),
}


def build_model(labels, vocab_size, tokenizer, size="small"):
    id2label = dict(enumerate(labels))
    config = LayoutLMv3Config(
        vocab_size=vocab_size,
        max_position_embeddings=514,
        max_2d_position_embeddings=1024,
        visual_embed=False,
        input_size=224,
        pad_token_id=tokenizer.token_to_id("<pad>"),
        bos_token_id=tokenizer.token_to_id("<s>"),
        eos_token_id=tokenizer.token_to_id("</s>"),
        num_labels=len(labels),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
        **SIZES[size],
    )
    model = LayoutLMv3ForTokenClassification(config)
    # From scratch, the stock head (std 0.02) collapses to predicting only "O".
    head = model.classifier
    for layer in [getattr(head, "dense", None), getattr(head, "out_proj", head)]:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    return model


class LogitsOnly(torch.nn.Module):
    """What the ONNX export traces: the three text/layout inputs to logits."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, bbox, attention_mask):
        return self.model(input_ids=input_ids, bbox=bbox, attention_mask=attention_mask).logits
