package dev.kiln.runtime.kernels;

/**
 * The recurrent layers written straight from their equations, one sample and one step at a time
 * in double precision, with back-propagation through time summing every gradient directly: the
 * definition {@link Recurrent}'s fast form (fused products, gate gradients, products after the step
 * loop) is tested against. Weights in the stored layouts: W_ih [I, G], W_hh [H, G].
 */
final class RecurrentReference {
  /** Outputs of every step [n, T, H] and the gradients for a given d loss / d outputs. */
  record Result(double[] h, double[] dWih, double[] dWhh, double[] dB1, double[] dB2, double[] dX) {}

  enum Kind { LSTM, GRU, RNN }

  private RecurrentReference() {}

  static double act(int f, double x) {
    switch (f) {
      case Recurrent.TANH: return Math.tanh(x);
      case Recurrent.SIGMOID: return 1 / (1 + Math.exp(-x));
      case Recurrent.RELU: return Math.max(0, x);
      default: return x;
    }
  }

  static double dact(int f, double x) {
    switch (f) {
      case Recurrent.TANH: { double y = Math.tanh(x); return 1 - y * y; }
      case Recurrent.SIGMOID: { double y = act(f, x); return y * (1 - y); }
      case Recurrent.RELU: return x > 0 ? 1 : 0;
      default: return 1;
    }
  }

  static int gates(Kind kind, int units) {
    return kind == Kind.LSTM ? 4 * units : kind == Kind.GRU ? 3 * units : units;
  }

  /**
   * Runs the layer on x [n, T, I]; dOut is [n, T, H] (the gradient of every step's output). b1 is
   * the one bias (LSTM, RNN) or b_ih (GRU); b2 is b_hh (GRU) or unused.
   */
  static Result run(Kind kind, int n, int steps, int inputs, int units, int act, int ract, float[] x, float[] wih,
      float[] whh, float[] b1, float[] b2, float[] dOut) {
    int g = gates(kind, units);
    double[] hs = new double[n * steps * units];
    // per sample and step: pre-activations of the input and hidden projections, the states
    double[][][] xp = new double[n][steps][g];
    double[][][] hp = new double[n][steps][g];
    double[][][] hPrev = new double[n][steps][units];
    double[][][] cPrev = new double[n][steps][units];
    double[][][] cNext = new double[n][steps][units];
    for (int b = 0; b < n; b++) {
      double[] h = new double[units];
      double[] c = new double[units];
      for (int t = 0; t < steps; t++) {
        hPrev[b][t] = h.clone();
        cPrev[b][t] = c.clone();
        for (int q = 0; q < g; q++) {
          double sx = b1[q];
          for (int k = 0; k < inputs; k++) {
            sx += x[(b * steps + t) * inputs + k] * (double) wih[k * g + q];
          }
          double sh = kind == Kind.GRU ? b2[q] : 0;
          for (int k = 0; k < units; k++) {
            sh += h[k] * whh[k * g + q];
          }
          xp[b][t][q] = sx;
          hp[b][t][q] = sh;
        }
        double[] hn = new double[units];
        for (int j = 0; j < units; j++) {
          double[] a = xp[b][t];
          double[] r = hp[b][t];
          if (kind == Kind.LSTM) {
            double i = act(ract, a[j] + r[j]);
            double f = act(ract, a[units + j] + r[units + j]);
            double gg = act(act, a[2 * units + j] + r[2 * units + j]);
            double o = act(ract, a[3 * units + j] + r[3 * units + j]);
            c[j] = f * c[j] + i * gg;
            hn[j] = o * act(act, c[j]);
          } else if (kind == Kind.GRU) {
            double rr = act(ract, a[j] + r[j]);
            double z = act(ract, a[units + j] + r[units + j]);
            double nn = act(act, a[2 * units + j] + rr * r[2 * units + j]);
            hn[j] = (1 - z) * nn + z * h[j];
          } else {
            hn[j] = act(act, a[j] + r[j]);
          }
        }
        cNext[b][t] = c.clone();
        h = hn;
        System.arraycopy(h, 0, hs, (b * steps + t) * units, units);
      }
    }
    double[] dWih = new double[inputs * g];
    double[] dWhh = new double[units * g];
    double[] dB1 = new double[g];
    double[] dB2 = new double[g];
    double[] dX = new double[n * steps * inputs];
    for (int b = 0; b < n; b++) {
      double[] dh = new double[units];
      double[] dc = new double[units];
      for (int t = steps - 1; t >= 0; t--) {
        double[] a = xp[b][t];
        double[] r = hp[b][t];
        double[] dxp = new double[g]; // d / d (x W_ih + b1)
        double[] dhp = new double[g]; // d / d (h W_hh [+ b2])
        double[] dhPrevDirect = new double[units];
        for (int j = 0; j < units; j++) {
          double dhv = dh[j] + dOut[(b * steps + t) * units + j];
          if (kind == Kind.LSTM) {
            double i = act(ract, a[j] + r[j]);
            double f = act(ract, a[units + j] + r[units + j]);
            double gg = act(act, a[2 * units + j] + r[2 * units + j]);
            double o = act(ract, a[3 * units + j] + r[3 * units + j]);
            double ct = cNext[b][t][j];
            double dcv = dc[j] + dhv * o * dact(act, ct);
            dxp[j] = dcv * gg * dact(ract, a[j] + r[j]);
            dxp[units + j] = dcv * cPrev[b][t][j] * dact(ract, a[units + j] + r[units + j]);
            dxp[2 * units + j] = dcv * i * dact(act, a[2 * units + j] + r[2 * units + j]);
            dxp[3 * units + j] = dhv * act(act, ct) * dact(ract, a[3 * units + j] + r[3 * units + j]);
            dc[j] = dcv * f;
            for (int q = 0; q < 4; q++) {
              dhp[q * units + j] = dxp[q * units + j];
            }
          } else if (kind == Kind.GRU) {
            double rr = act(ract, a[j] + r[j]);
            double z = act(ract, a[units + j] + r[units + j]);
            double npre = a[2 * units + j] + rr * r[2 * units + j];
            double nn = act(act, npre);
            double dn = dhv * (1 - z) * dact(act, npre);
            double dz = dhv * (hPrev[b][t][j] - nn) * dact(ract, a[units + j] + r[units + j]);
            double dr = dn * r[2 * units + j] * dact(ract, a[j] + r[j]);
            dxp[j] = dr;
            dxp[units + j] = dz;
            dxp[2 * units + j] = dn;
            dhp[j] = dr;
            dhp[units + j] = dz;
            dhp[2 * units + j] = dn * rr;
            dhPrevDirect[j] = dhv * z;
          } else {
            dxp[j] = dhv * dact(act, a[j] + r[j]);
            dhp[j] = dxp[j];
          }
        }
        double[] dhNew = dhPrevDirect;
        for (int q = 0; q < g; q++) {
          dB1[q] += dxp[q];
          dB2[q] += dhp[q];
          for (int k = 0; k < inputs; k++) {
            dWih[k * g + q] += x[(b * steps + t) * inputs + k] * dxp[q];
            dX[(b * steps + t) * inputs + k] += dxp[q] * wih[k * g + q];
          }
          for (int k = 0; k < units; k++) {
            dWhh[k * g + q] += hPrev[b][t][k] * dhp[q];
            dhNew[k] += dhp[q] * whh[k * g + q];
          }
        }
        dh = dhNew;
      }
    }
    return new Result(hs, dWih, dWhh, dB1, dB2, dX);
  }
}
