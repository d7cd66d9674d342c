"""Train the layout model. Resumable: every evaluation writes a checkpoint
(model, optimiser, schedule, step, data position, best score), and `--resume`
continues from it. Early stopping on the validation set's span F1.

    python -m invex_train.train --train-data train.jsonl --val-data val.jsonl --out run/
"""

import argparse
import json
import os
import time

import torch
from transformers import LayoutLMv3ForTokenClassification
from tokenizers import Tokenizer

from .data import batches, build_windows, collate, read_documents, special_ids
from .metrics import score
from .model import build_model
from .predict import predict_documents, torch_runner
from .tokenizer import train_tokenizer


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--train-data", required=True)
    p.add_argument("--val-data", required=True)
    p.add_argument("--labels", required=True, help="JSON list of BIO labels, index = class id")
    p.add_argument("--out", required=True)
    p.add_argument("--size", default="small", choices=["small", "tiny"])
    p.add_argument("--vocab-size", type=int, default=8000)
    p.add_argument("--max-len", type=int, default=512)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--warmup", type=int, default=300)
    p.add_argument("--epochs", type=float, default=2.0)
    p.add_argument("--max-steps", type=int, default=0, help="0: no limit beyond --epochs")
    p.add_argument("--max-minutes", type=float, default=0, help="0: no time limit")
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--val-docs", type=int, default=400)
    p.add_argument("--patience", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--resume", action="store_true")
    return p.parse_args(argv)


def log(out, record):
    print(json.dumps(record), flush=True)
    with open(os.path.join(out, "train_log.jsonl"), "a") as f:
        f.write(json.dumps(record) + "\n")


def evaluate(model, docs, tokenizer, id2label, max_len):
    model.eval()
    pred = predict_documents(docs, tokenizer, torch_runner(model), id2label, max_len)
    model.train()
    return score([d["labels"] for d in docs], pred)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    labels = json.load(open(args.labels))

    train_docs = read_documents(args.train_data)
    val_docs = read_documents(args.val_data)[: args.val_docs]
    tok_path = os.path.join(args.out, "tokenizer.json")
    if os.path.exists(tok_path):
        tokenizer = Tokenizer.from_file(tok_path)
    else:
        tokenizer = train_tokenizer(train_docs, args.vocab_size)
        tokenizer.save(tok_path)
    model = build_model(labels, tokenizer.get_vocab_size(), tokenizer, args.size)
    return run_training(args, model, tokenizer, labels, train_docs, val_docs)


def run_training(args, model, tokenizer, labels, train_docs, val_docs):
    """The training loop (also fine-tuning's): AdamW with warm-up and linear
    decay, an evaluation and a checkpoint every `args.eval_every` steps,
    resumable from `out/last.pt`, the best model in `out/best`. Returns it."""
    label2id = {l: i for i, l in enumerate(labels)}
    id2label = dict(enumerate(labels))
    _, _, pad_id = special_ids(tokenizer)
    windows = build_windows(train_docs, tokenizer, label2id, args.max_len)
    steps_per_epoch = max(1, (len(windows) + args.batch_size - 1) // args.batch_size)
    total_steps = int(steps_per_epoch * args.epochs)
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    log(args.out, {"event": "start", "train_docs": len(train_docs), "windows": len(windows),
                   "val_docs": len(val_docs), "vocab": tokenizer.get_vocab_size(),
                   "steps": total_steps})

    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: min(1.0, (s + 1) / args.warmup) * max(0.05, 1 - s / max(1, total_steps)),
    )
    state = {"step": 0, "best_f1": -1.0, "bad_evals": 0, "elapsed": 0.0}
    ckpt = os.path.join(args.out, "last.pt")
    if args.resume and os.path.exists(ckpt):
        saved = torch.load(ckpt, weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        state = saved["state"]
        log(args.out, {"event": "resume", **state})
    n_params = sum(p.numel() for p in model.parameters())
    log(args.out, {"event": "model", "parameters": n_params})

    model.train()
    started = time.time() - state["elapsed"]
    running, stop = [], None
    while stop is None:
        epoch, offset = divmod(state["step"], steps_per_epoch)
        order = batches(windows, args.batch_size, args.seed, epoch)
        for indices in order[offset:]:
            batch = collate(windows, indices, pad_id)
            loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            state["step"] += 1
            running.append(loss.item())
            if state["step"] % 25 == 0:
                log(args.out, {"step": state["step"], "loss": sum(running) / len(running),
                               "lr": schedule.get_last_lr()[0],
                               "minutes": round((time.time() - started) / 60, 2)})
                running = []
            minutes = (time.time() - started) / 60
            out_of_time = args.max_minutes and minutes >= args.max_minutes
            done = state["step"] >= total_steps
            if state["step"] % args.eval_every == 0 or out_of_time or done:
                metrics = evaluate(model, val_docs, tokenizer, id2label, args.max_len)
                improved = metrics["f1"] > state["best_f1"]
                if improved:
                    state["best_f1"], state["bad_evals"] = metrics["f1"], 0
                    model.save_pretrained(os.path.join(args.out, "best"))
                    tokenizer.save(os.path.join(args.out, "best", "tokenizer.json"))
                else:
                    state["bad_evals"] += 1
                state["elapsed"] = time.time() - started
                log(args.out, {"event": "eval", "step": state["step"], **metrics,
                               "best_f1": state["best_f1"]})
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "schedule": schedule.state_dict(), "state": state}, ckpt + ".tmp")
                os.replace(ckpt + ".tmp", ckpt)
                if state["bad_evals"] >= args.patience:
                    stop = "early stopping"
                elif out_of_time:
                    stop = "time limit"
                elif done:
                    stop = "step limit"
                if stop:
                    break
    log(args.out, {"event": "stop", "reason": stop, "step": state["step"],
                   "best_f1": state["best_f1"]})
    return LayoutLMv3ForTokenClassification.from_pretrained(os.path.join(args.out, "best"))


if __name__ == "__main__":
    main()
