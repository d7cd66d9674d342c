"""Builds the tiny Donut parity fixture (models/tests/fixtures/tiny-donut).

A randomly initialised VisionEncoderDecoderModel (DonutSwin encoder, MBart
decoder), a small Metaspace BPE tokenizer with the task token `<s_invex>` and
invex field tags (`<s_invoice_number>` ... `</s_invoice_number>`), briefly
overfitted on two committed images so that greedy decoding spells out a
non-trivial tag sequence. Then:

- the model is exported with `optimum-cli export onnx --task
  image-to-text-with-past` (encoder, decoder, decoder-with-past, merged
  decoder), plus config.json, generation_config.json,
  preprocessor_config.json and the tokenizer files;
- the ONNX graphs are checked against PyTorch (a greedy loop in ONNX Runtime
  must give generate()'s ids);
- reference.json records, per image: the processor's pixel_values, the ids
  and per-token probabilities of `model.generate()` (greedy, decoder start =
  the task token), the decoded string and DonutProcessor.token2json's fields.

The model reads nothing: it only memorised two images. It exists so that the
Rust runner can be checked token for token against transformers.

    python -m invex_train.donut_fixture --out ../tests/fixtures/tiny-donut
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image, ImageDraw, ImageFont
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    DonutImageProcessor,
    DonutProcessor,
    DonutSwinConfig,
    GenerationConfig,
    MBartConfig,
    PreTrainedTokenizerFast,
    VisionEncoderDecoderConfig,
    VisionEncoderDecoderModel,
)

TASK = "<s_invex>"
# A handful of invex_domain::FieldName names (snake_case, as in JSON).
FIELDS = [
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "net_amount",
    "vat_amount",
    "total_amount",
    "supplier_name",
    "supplier_org_nr",
    "bankgiro",
    "payment_reference",
]
SPECIAL = ["<s>", "<pad>", "</s>", "<unk>"]  # ids 0..3, as XLM-RoBERTa's
HEIGHT, WIDTH = 64, 48
MAX_LENGTH = 40
SEED = 20261122

# (file, image size W x H, fields). The first image is exactly the model's
# input size (no resampling, so its pixel_values are exact); the second is
# square and larger, so it is resized and padded.
SAMPLES = [
    ("sample-a.png", (48, 64), {"invoice_number": "F-1043", "total_amount": "1 234,56"}),
    (
        "sample-b.png",
        (96, 96),
        {
            "invoice_number": "2026-117",
            "invoice_date": "2026-11-22",
            "currency": "SEK",
            "total_amount": "980,00",
            "bankgiro": "5050-1055",
        },
    ),
]

# Noise images for preprocessing.json, which checks the resizing, the
# thumbnail step and the padding of odd shapes (upscaled wide, downscaled tall).
PREPROCESSING = [("preprocess-wide.png", (90, 41)), ("preprocess-tall.png", (37, 83))]

CORPUS = [
    "F-1043 1 234,56 2026-117 2026-11-22 SEK 980,00 5050-1055",
    "EUR 2026-12-01 12 500,00 Acme AB 556677-8899 Faktura 7311 0,00 25,00",
    "0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz -,.:/",
]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--preprocessing-only", action="store_true",
                   help="only (re)write preprocessing.json and its images")
    return p.parse_args(argv)


def target(fields):
    return TASK + "".join(f"<s_{k}>{v}</s_{k}>" for k, v in fields.items())


def make_tokenizer():
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    alphabet = sorted(set("".join(CORPUS).replace(" ", "")) | {"\u2581"})
    trainer = trainers.BpeTrainer(
        vocab_size=120, min_frequency=1, special_tokens=SPECIAL,
        initial_alphabet=alphabet, show_progress=False,
    )
    tok.train_from_iterator(CORPUS * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", pad_token="<pad>", eos_token="</s>",
        unk_token="<unk>", model_max_length=MAX_LENGTH,
    )
    tags = [t for f in FIELDS for t in (f"<s_{f}>", f"</s_{f}>")]
    fast.add_special_tokens({"additional_special_tokens": [TASK, "<sep/>"] + tags})
    return fast


def make_image(size, fields, seed):
    """A white page with the field values written in black and a coloured
    stripe, so that the two images differ everywhere."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    colour = tuple(int(c) for c in rng.integers(0, 255, 3))
    draw.rectangle([0, 0, size[0], size[1] // 8], fill=colour)
    y = size[1] // 6
    for value in fields.values():
        draw.text((2, y), value, fill="black", font=font)
        y += 11
    return image


def make_model(tokenizer):
    encoder = DonutSwinConfig(
        image_size=[HEIGHT, WIDTH], patch_size=4, num_channels=3, embed_dim=16,
        depths=[1, 1], num_heads=[1, 2], window_size=4, mlp_ratio=2.0, drop_path_rate=0.0,
    )
    decoder = MBartConfig(
        vocab_size=len(tokenizer), d_model=32, max_position_embeddings=MAX_LENGTH + 8,
        decoder_layers=2, decoder_attention_heads=2, decoder_ffn_dim=64,
        # The with-past export needs the encoder_* sizes equal to the decoder's.
        encoder_layers=2, encoder_attention_heads=2, encoder_ffn_dim=64,
        is_decoder=True, add_cross_attention=True, scale_embedding=True,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, forced_eos_token_id=None,
        dropout=0.0, attention_dropout=0.0, activation_dropout=0.0,
    )
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(encoder, decoder)
    task_id = tokenizer.convert_tokens_to_ids(TASK)
    config.decoder_start_token_id = task_id
    config.pad_token_id = tokenizer.pad_token_id
    config.eos_token_id = tokenizer.eos_token_id
    model = VisionEncoderDecoderModel(config=config)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=task_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        max_length=MAX_LENGTH, num_beams=1, do_sample=False,
        forced_eos_token_id=None, forced_bos_token_id=None,
    )
    return model


def overfit(model, pixel_values, labels, steps):
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for step in range(steps):
        # The loss is computed here: VisionEncoderDecoderModel's default
        # (ForCausalLMLoss, when loss_type is unset) shifts the labels once
        # more, which teaches the model to skip a token.
        logits = model(pixel_values=pixel_values, labels=labels).logits
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step}: loss {loss.item():.5f}", flush=True)
    model.eval()


def ort_greedy(out, pixel_values, start, eos, max_length):
    """Greedy decoding in ONNX Runtime with the merged decoder, feeding
    present.* back as past_key_values.*: the same loop the Rust runner runs."""
    enc = ort.InferenceSession(os.path.join(out, "encoder_model.onnx"))
    dec = ort.InferenceSession(os.path.join(out, "decoder_model_merged.onnx"))
    hidden = enc.run(None, {"pixel_values": pixel_values})[0]
    ids, past = [start], {}
    out_names = [o.name for o in dec.get_outputs()]
    while len(ids) < max_length:
        feed = {}
        for i in dec.get_inputs():
            if i.name == "input_ids":
                feed[i.name] = np.array([ids if not past else ids[-1:]], dtype=np.int64)
            elif i.name == "encoder_hidden_states":
                feed[i.name] = hidden
            elif i.name == "use_cache_branch":
                feed[i.name] = np.array([bool(past)])
            elif i.name.startswith("past_key_values."):
                if past:
                    feed[i.name] = past[i.name]
                else:
                    shape = [1, i.shape[1], 0, i.shape[3]]
                    feed[i.name] = np.zeros(shape, dtype=np.float32)
            else:
                raise SystemExit(f"unexpected decoder input {i.name}")
        values = dict(zip(out_names, dec.run(None, feed)))
        next_id = int(values["logits"][0, -1].argmax())
        ids.append(next_id)
        # The cross-attention cache (`.encoder.`) comes from the first step
        # only: the merged graph's cache branch returns empty placeholders.
        first = not past
        for k, v in values.items():
            if k.startswith("present.") and (first or ".decoder." in k):
                past[k.replace("present.", "past_key_values.", 1)] = v
        if next_id == eos:
            break
    return ids


def preprocessing_reference(out, image_processor):
    """preprocessing.json: DonutImageProcessor's pixel_values for noise images."""
    rng = np.random.default_rng(SEED)
    cases = []
    for file, (w, h) in PREPROCESSING:
        pixels = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        Image.fromarray(pixels, "RGB").save(os.path.join(out, file), optimize=True)
        image = Image.open(os.path.join(out, file)).convert("RGB")
        pv = image_processor(images=[image], return_tensors="np").pixel_values
        cases.append({"file": file, "pixel_values_shape": list(pv.shape),
                      "pixel_values": [round(float(v), 6) for v in pv.flatten()]})
    with open(os.path.join(out, "preprocessing.json"), "w") as f:
        json.dump({"images": cases}, f)
        f.write("\n")


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(SEED)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    tokenizer = make_tokenizer()
    image_processor = DonutImageProcessor(
        size={"height": HEIGHT, "width": WIDTH}, do_align_long_axis=False,
    )
    preprocessing_reference(out, image_processor)
    if args.preprocessing_only:
        return
    processor = DonutProcessor(image_processor=image_processor, tokenizer=tokenizer)
    model = make_model(tokenizer)

    images = []
    for n, (file, size, fields) in enumerate(SAMPLES):
        image = make_image(size, fields, SEED + n)
        image.save(os.path.join(out, file), optimize=True)
        # Read back, so that training sees exactly the committed bytes.
        images.append(Image.open(os.path.join(out, file)).convert("RGB"))
    pixel_values = processor(images=images, return_tensors="pt").pixel_values
    targets = [target(f) for _, _, f in SAMPLES]
    # Labels: the target without the task token (the model shifts it in as
    # the decoder start), then </s>; padding is ignored by the loss.
    encoded = [tokenizer(t, add_special_tokens=False).input_ids[1:] + [tokenizer.eos_token_id]
               for t in targets]
    width = max(len(e) for e in encoded)
    labels = torch.tensor([e + [-100] * (width - len(e)) for e in encoded])
    overfit(model, pixel_values, labels, args.steps)

    with tempfile.TemporaryDirectory() as tmp:
        pt_dir = os.path.join(tmp, "pt")
        model.save_pretrained(pt_dir)
        processor.save_pretrained(pt_dir)
        onnx_dir = os.path.join(tmp, "onnx")
        subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "optimum-cli"), "export", "onnx",
             "--model", pt_dir, "--task", "image-to-text-with-past", onnx_dir],
            check=True,
        )
        for name in sorted(os.listdir(onnx_dir)):
            shutil.copy(os.path.join(onnx_dir, name), os.path.join(out, name))

    task_id = tokenizer.convert_tokens_to_ids(TASK)
    eos = tokenizer.eos_token_id
    reference = {
        "task_prompt": TASK,
        "decoder_start_token_id": task_id,
        "eos_token_id": eos,
        "max_length": MAX_LENGTH,
        "images": [],
    }
    for n, (file, _, fields) in enumerate(SAMPLES):
        pv = pixel_values[n : n + 1]
        with torch.no_grad():
            generated = model.generate(
                pixel_values=pv, max_length=MAX_LENGTH, num_beams=1, do_sample=False,
                output_scores=True, return_dict_in_generate=True,
            )
        ids = generated.sequences[0].tolist()
        probabilities, margins = [], []
        for step, scores in enumerate(generated.scores):
            p = torch.softmax(scores[0].float(), dim=-1)
            probabilities.append(round(float(p[ids[step + 1]]), 6))
            top = torch.topk(scores[0], 2).values
            margins.append(float(top[0] - top[1]))
        decoded = tokenizer.decode(ids)
        sequence = decoded.replace(tokenizer.eos_token, "").replace(tokenizer.pad_token, "")
        sequence = sequence.replace(TASK, "", 1).strip()
        parsed = processor.token2json(sequence)
        onnx_ids = ort_greedy(out, pv.numpy(), task_id, eos, MAX_LENGTH)
        if onnx_ids != ids:
            raise SystemExit(f"{file}: ONNX Runtime gives {onnx_ids}, generate() {ids}")
        print(f"{file}: {len(ids)} ids, min margin {min(margins):.3f}, {parsed}")
        if parsed != fields:
            print(f"warning: {file} decodes to {parsed}, trained on {fields}")
        reference["images"].append({
            "file": file,
            "target": targets[n],
            "sequence": ids,
            "probabilities": probabilities,
            "min_logit_margin": round(min(margins), 4),
            "decoded": decoded,
            "token2json": parsed,
            "pixel_values_shape": list(pv.shape),
            "pixel_values": [round(float(v), 6) for v in pv.flatten()],
        })
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(reference, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
