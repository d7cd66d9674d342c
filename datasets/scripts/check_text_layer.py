#!/usr/bin/env python3
"""Check generated PDFs against their truth files with PDFium (pypdfium2).

usage: check_text_layer.py DIR [MAX_FILES]

For every inv-NNNNN.pdf in DIR: the words PDFium extracts (split at white
space) must be the truth words of that page (as a multiset: PDFium may
reorder strings that share a line), and each word's box from PDFium's loose
char boxes must lie within 2 pt of the truth box.
"""
import json, sys, pathlib
import pypdfium2 as pdfium

TOL = 2.0

def pdfium_words(page):
    tp = page.get_textpage()
    h = page.get_height()
    words, cur, box = [], [], None
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        if ch.isspace() or ch == "":
            if cur:
                words.append(("".join(cur), box))
                cur, box = [], None
            continue
        l, b, r, t = tp.get_charbox(i, loose=True)
        x0, y0, x1, y1 = l, h - t, r, h - b
        box = [x0, y0, x1, y1] if box is None else [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        cur.append(ch)
    if cur:
        words.append(("".join(cur), box))
    return words

def main():
    d = pathlib.Path(sys.argv[1])
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 10**9
    bad = files = words_n = 0
    worst = 0.0
    for pdf_path in sorted(d.glob("inv-*.pdf"))[:limit]:
        files += 1
        truth = json.loads(pdf_path.with_suffix("").with_suffix(".truth.json").read_text(encoding="utf-8"))
        doc = pdfium.PdfDocument(str(pdf_path))
        for pno in range(len(doc)):
            got = pdfium_words(doc[pno])
            want = [w for w in truth["words"] if w["page"] == pno + 1]
            words_n += len(want)
            # PDFium may reorder strings that share a line, so match words by
            # text and position rather than by sequence.
            pool = {}
            for t, box in got:
                pool.setdefault(t, []).append(box)
            if sorted(g[0] for g in got) != sorted(w["text"] for w in want):
                bad += 1
                extra = sorted(set(g[0] for g in got) - set(w["text"] for w in want))[:5]
                missing = sorted(set(w["text"] for w in want) - set(g[0] for g in got))[:5]
                print(f"{pdf_path.name} p{pno+1}: pdfium-only {extra} truth-only {missing}")
                continue
            for w in want:
                tb = w["bbox"]
                cands = pool.get(w["text"], [])
                def diff(box):
                    return max(abs(box[0] - tb[0]), abs(box[2] - tb[2]), abs(box[1] - tb[1]), abs(box[3] - tb[3]))
                best = min(cands, key=diff)
                cands.remove(best)
                d_ = diff(best)
                worst = max(worst, d_)
                if d_ > TOL:
                    bad += 1
                    print(f"{pdf_path.name} p{pno+1} {w['text']!r}: pdfium {best} truth {tb}")
    print(f"{files} files, {words_n} words, {bad} problems, worst box difference {worst:.2f} pt")
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
