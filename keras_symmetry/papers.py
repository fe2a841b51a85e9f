"""The two papers keras-symmetry implements, cited by authors and year wherever a user reads (cards, CLI, docs).

- Iqbal & Welling 2025: *Topological defects propagate information in deep neural networks*
  (the Z2 Kuramoto network, domain walls, the noise transition);
- Iqbal et al. 2026: *Spontaneous symmetry breaking and Goldstone modes for deep information propagation*
  (U(1)/O(k) MLPs, RNNs and GRUs; the copy task and psMNIST).

Equation, table and figure numbers follow the papers: "Iqbal et al. 2026, Table 3" is the psMNIST table.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Paper:
    """A paper: `cite` (authors and year, as text cites it), the full `reference` and where to read it."""

    cite: str
    reference: str
    url: str | None = None

    def markdown(self):
        """The full reference, linked where the paper has an address."""
        return f"{self.reference} {self.url}" if self.url else self.reference


DOMAIN_WALLS = Paper(
    cite="Iqbal & Welling 2025",
    reference="N. Iqbal and M. Welling, *Topological defects propagate information in deep neural networks*, "
    "NeurIPS 2025 AI for Science Workshop (2025).",
    url="https://openreview.net/forum?id=fM5s2Tqe0t",
)
GOLDSTONE_MODES = Paper(
    cite="Iqbal et al. 2026",
    reference="N. Iqbal, T. A. Keller, Y. Song, T. Miyato and M. Welling, *Spontaneous symmetry breaking and "
    "Goldstone modes for deep information propagation* (2026), arXiv:2605.14685.",
    url="https://arxiv.org/abs/2605.14685",
)
PAPERS = (DOMAIN_WALLS, GOLDSTONE_MODES)


def cited_in(text, default=GOLDSTONE_MODES):
    """The paper a piece of text (e.g. a zoo entry's `paper.source`) cites first, else `default`."""
    found = [(text.find(paper.cite), paper) for paper in PAPERS if paper.cite in (text or "")]
    return min(found, key=lambda pair: pair[0])[1] if found else default
