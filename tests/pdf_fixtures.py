"""Small ruled-table PDFs shaped like NVIDIA's Revenue by Market slides, for tests."""

from pathlib import Path


def table_pdf(rows: list[list[str]]) -> bytes:
    """A one-page PDF holding `rows` as a ruled table, like NVIDIA's slides."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    width, height = 150, 20
    operations = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            x, y = 40 + c * width, 700 - r * height
            operations.append(f"{x} {y} {width} {height} re S")
            operations.append(f"BT /F1 9 Tf {x + 3} {y + 6} Td ({escape(text)}) Tj ET")
    content = "\n".join(operations).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 900 800] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


def write_pdf(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    path = tmp_path / name
    path.write_bytes(table_pdf(rows))
    return path
