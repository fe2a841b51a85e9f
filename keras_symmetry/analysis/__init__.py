"""Physics diagnostics of symmetric networks: why they propagate information
(Iqbal et al. 2026, §2.2-2.4, C; Iqbal & Welling 2025, §2.2, §3, A.2-A.3).

- `meanfield`: order-parameter recursion `c^{l+1} = F_k(c^l)` for U(1) and O(k), `c_star`, small-c law, two-input
  `Delta` recursion with the `I_1` kernel, `xi_Delta` (Iqbal et al. 2026, eqs. 8-12, 35-37, 47-49)
- `bulk`: ensembles of random bulk networks; measured `c^l`, `d^l`, two-input covariance `(Delta, varphi)`
  (Iqbal et al. 2026, eqs. 4, 6, 10, 50; Fig. 2)
- `jacobian`: one forward-mode `jvp` over jax / tensorflow / torch; protected component `d^L`, full Jacobian norm
  (Iqbal et al. 2026, eqs. 7, 52-54; Figs. 5a, 9)
- `rank`: effective rank `exp(H)`, through depth and as a training callback (Iqbal et al. 2026, eq. 55; Fig. 5)
- `defects`: Z2 domains and domain walls of oscillator fields (Iqbal & Welling 2025, §2.2; Figs. 1, 5, 9)
- `criticality`: noise scans, crossing point `eta_c`, data collapse and `alpha`
  (Iqbal & Welling 2025, §3, A.3; Figs. 7, 10, 11)
- `vortices`: U(1) phase field, winding per plaquette, vortex counts (Iqbal et al. 2026, D.3; Figs. 12, 13)

One weight normalisation everywhere (Iqbal et al. 2026, eq. 35, `ks.initializers.SigmaW`):
`E|W_ij|^2 = sigma_w^2 / N` in total per entry, so the transition is at `sigma_w = 1`.

```python
from keras_symmetry import analysis
analysis.meanfield.c_star(1.5)            # 0.4832 (U(1))
analysis.meanfield.c_star(1.5, k=4)       # O(4)
```
"""

from keras_symmetry.analysis import bulk, criticality, defects, jacobian, meanfield, rank, vortices

__all__ = ["bulk", "criticality", "defects", "jacobian", "meanfield", "rank", "vortices"]
