// Plotting on <canvas> without libraries: data ↔ pixel mapping, axes with round ticks, curves
// that break at non-finite values, points, and marching-squares contour lines.

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 6) {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

const tickLabel = (v) => String(Number(v.toPrecision(6)));

export class Plot {
  /** canvas: a <canvas> whose CSS size sets the plot size; drawn at the device pixel ratio. */
  constructor(canvas, { margin = { left: 48, right: 12, top: 12, bottom: 28 } } = {}) {
    this.canvas = canvas;
    this.margin = margin;
    this.ctx = canvas.getContext('2d');
    this.xRange = [0, 1];
    this.yRange = [0, 1];
    this.resize();
  }

  /** Matches the canvas buffer to its CSS size; call when the layout changes. */
  resize() {
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.width = Math.max(50, Math.round(width));
    this.height = Math.max(50, Math.round(height));
    if (this.canvas.width !== Math.round(this.width * ratio) || this.canvas.height !== Math.round(this.height * ratio)) {
      this.canvas.width = Math.round(this.width * ratio);
      this.canvas.height = Math.round(this.height * ratio);
    }
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  setRange(xRange, yRange) {
    this.xRange = xRange;
    this.yRange = yRange;
  }

  get left() { return this.margin.left; }
  get right() { return this.width - this.margin.right; }
  get top() { return this.margin.top; }
  get bottom() { return this.height - this.margin.bottom; }

  px(x) { return this.left + (x - this.xRange[0]) / (this.xRange[1] - this.xRange[0]) * (this.right - this.left); }
  py(y) { return this.bottom - (y - this.yRange[0]) / (this.yRange[1] - this.yRange[0]) * (this.bottom - this.top); }
  dataX(px) { return this.xRange[0] + (px - this.left) / (this.right - this.left) * (this.xRange[1] - this.xRange[0]); }
  dataY(py) { return this.yRange[0] + (this.bottom - py) / (this.bottom - this.top) * (this.yRange[1] - this.yRange[0]); }

  /** Data coordinates of a pointer event. */
  eventToData(event) {
    const r = this.canvas.getBoundingClientRect();
    return [this.dataX(event.clientX - r.left), this.dataY(event.clientY - r.top)];
  }

  clear(color = '#fff') {
    this.ctx.fillStyle = color;
    this.ctx.fillRect(0, 0, this.width, this.height);
  }

  /** Grid lines, tick labels and the x = 0 / y = 0 axes. */
  drawAxes({ xTicks = 8, yTicks = 6, grid = '#e8e8e8', zero = '#999' } = {}) {
    const { ctx } = this;
    ctx.save();
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.fillStyle = '#555';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const x of niceTicks(...this.xRange, xTicks)) {
      const p = Math.round(this.px(x)) + 0.5;
      ctx.strokeStyle = x === 0 ? zero : grid;
      ctx.beginPath(); ctx.moveTo(p, this.top); ctx.lineTo(p, this.bottom); ctx.stroke();
      ctx.fillText(tickLabel(x), p, this.bottom + 6);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const y of niceTicks(...this.yRange, yTicks)) {
      const p = Math.round(this.py(y)) + 0.5;
      ctx.strokeStyle = y === 0 ? zero : grid;
      ctx.beginPath(); ctx.moveTo(this.left, p); ctx.lineTo(this.right, p); ctx.stroke();
      ctx.fillText(tickLabel(y), this.left - 6, p);
    }
    ctx.strokeStyle = '#bbb';
    ctx.strokeRect(this.left + 0.5, this.top + 0.5, this.right - this.left, this.bottom - this.top);
    ctx.restore();
  }

  /** Runs draw(ctx) clipped to the plot area. */
  clipped(draw) {
    const { ctx } = this;
    ctx.save();
    ctx.beginPath();
    ctx.rect(this.left, this.top, this.right - this.left, this.bottom - this.top);
    ctx.clip();
    draw(ctx);
    ctx.restore();
  }

  /** A polyline through (xs[i], ys[i]), broken wherever a value is not finite. */
  drawCurve(xs, ys, { color = '#000', width = 1.5, dash = [] } = {}) {
    const limit = 1e6; // keep far-off points at a drawable distance
    const clamp = (v) => Math.max(-limit, Math.min(limit, v));
    this.clipped((ctx) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.lineJoin = 'round';
      ctx.setLineDash(dash);
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < xs.length; i++) {
        if (!Number.isFinite(ys[i]) || !Number.isFinite(xs[i])) { pen = false; continue; }
        const X = clamp(this.px(xs[i])), Y = clamp(this.py(ys[i]));
        if (pen) ctx.lineTo(X, Y); else ctx.moveTo(X, Y);
        pen = true;
      }
      ctx.stroke();
    });
  }

  /** Filled circles at [x, y] pairs. */
  drawPoints(points, { color = '#000', radius = 2, stroke } = {}) {
    this.clipped((ctx) => {
      ctx.fillStyle = color;
      for (const [x, y] of points) {
        ctx.beginPath();
        ctx.arc(this.px(x), this.py(y), radius, 0, 2 * Math.PI);
        ctx.fill();
        if (stroke) { ctx.strokeStyle = stroke; ctx.lineWidth = 1; ctx.stroke(); }
      }
    });
  }

  /** Fills the plot area from a grid of values ([rows][cols], row 0 at yRange[0]) through color(v) → [r, g, b]. */
  drawField(values, color) {
    const rows = values.length, cols = values[0].length;
    const image = new ImageData(cols, rows);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const [R, G, B] = color(values[r][c]);
        const o = ((rows - 1 - r) * cols + c) * 4;
        image.data[o] = R; image.data[o + 1] = G; image.data[o + 2] = B; image.data[o + 3] = 255;
      }
    }
    const off = document.createElement('canvas');
    off.width = cols;
    off.height = rows;
    off.getContext('2d').putImageData(image, 0, 0);
    this.clipped((ctx) => {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(off, this.px(this.xRange[0]), this.py(this.yRange[1]), this.right - this.left, this.bottom - this.top);
    });
  }

  /**
   * Contour lines of a grid of values at the given levels (marching squares). Grid point
   * (r, c) is at x = xs[c], y = ys[r].
   */
  drawContours(values, xs, ys, levels, { color = '#555', width = 0.8 } = {}) {
    this.clipped((ctx) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      for (const level of levels) {
        for (let r = 0; r + 1 < ys.length; r++) {
          for (let c = 0; c + 1 < xs.length; c++) {
            const corners = [[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1]];
            const v = corners.map(([cc, rr]) => values[rr][cc]);
            const crossings = [];
            for (let k = 0; k < 4; k++) {
              const a = v[k], b = v[(k + 1) % 4];
              if ((a < level) !== (b < level)) {
                const t = (level - a) / (b - a);
                const [c0, r0] = corners[k], [c1, r1] = corners[(k + 1) % 4];
                crossings.push([xs[c0] + t * (xs[c1] - xs[c0]), ys[r0] + t * (ys[r1] - ys[r0])]);
              }
            }
            for (let k = 0; k + 1 < crossings.length; k += 2) {
              ctx.moveTo(this.px(crossings[k][0]), this.py(crossings[k][1]));
              ctx.lineTo(this.px(crossings[k + 1][0]), this.py(crossings[k + 1][1]));
            }
          }
        }
      }
      ctx.stroke();
    });
  }
}

/** Ten distinguishable colours, one per derivative order / series. */
export const COLORS = ['#111111', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#17becf'];
