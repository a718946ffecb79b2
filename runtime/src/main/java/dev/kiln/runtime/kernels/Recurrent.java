package dev.kiln.runtime.kernels;

/**
 * Recurrent layers over whole sequences, in the fast form PyTorch's CPU path and oneDNN use: one
 * product for the input projections of every time step ({@code X W_ih} over [n T x I] rows), one
 * recurrent product per step over the fused gates, and the element-wise gate math in one pass per
 * step. Backward runs through time over the declared length and leaves the gate gradients of every
 * step in one buffer, so the caller gets dW_ih = X^T dG, the bias gradients and dX = dG W_ih^T as
 * single products after the step loop; dW_hh is one product per sample
 * ({@link #recurrentWeightGradient}).
 *
 * <p>Layouts (row-major, n samples): the input x is [n, T, I]; the stored weights are W_ih [I, G]
 * and W_hh [H, G] (PyTorch's [G, I] and [G, H] transposed, gates in PyTorch's order: LSTM i, f, g,
 * o; GRU r, z, n), G = 4H, 3H or H. The hidden states h (and the LSTM's cells c) are [n, T + 1, H]:
 * slot 0 holds the initial state, slot t + 1 the state after step t, so the state before a step is
 * always a view at a fixed stride. A time step of an [n, T, G] buffer is a view with leading
 * dimension T G. Every buffer is the caller's (planned once); nothing is allocated.
 *
 * <p>Activations are given as {@link #LINEAR}, {@link #TANH}, {@link #SIGMOID} or {@link #RELU};
 * each derivative is computed from the activation's output.
 */
public final class Recurrent {
  public static final int LINEAR = 0;
  public static final int TANH = 1;
  public static final int SIGMOID = 2;
  public static final int RELU = 3;

  private Recurrent() {}

  /**
   * The activation at x. Tanh and sigmoid are {@link FloatMath}'s, the vector activations' own
   * (a step's 5 n H gate functions through double-precision {@code Math} were half of W6's
   * training time: {@code Math.exp}'s intrinsic costs 14 ns here, JDK 17's {@code Math.tanh} more).
   */
  static float activate(int function, float x) {
    switch (function) {
      case TANH:
        return FloatMath.tanh(x);
      case SIGMOID:
        return FloatMath.sigmoid(x);
      case RELU:
        return x > 0 ? x : (x == x ? 0f : x);
      default:
        return x;
    }
  }

  /**
   * Batches from this size compute the LSTM's state gradient transposed (see {@link #lstmBackward}):
   * below it, a batch narrower than a vector would waste most of the product's lanes.
   */
  static final int TRANSPOSED_STATE_GRADIENT = 16;

  /** Whether {@link #activate(int, int, float[], int, float[], int)} may use the Vector API kernels. */
  private static final boolean VECTOR_ACTIVATIONS = !(Elementwise.ACTIVE instanceof ScalarElementwise);

  /**
   * {@code dst[dstOff + k] = activate(function, src[srcOff + k])} for k below n, src and dst
   * distinct: through the Vector API kernels when they are active (their lanes compute what
   * {@link FloatMath} computes, bit for bit: an LSTM step's gates 4-8x faster), else element by
   * element.
   */
  static void activate(int function, int n, float[] src, int srcOff, float[] dst, int dstOff) {
    if (VECTOR_ACTIVATIONS) {
      switch (function) {
        case TANH:
          Elementwise.ACTIVE.tanh(n, src, srcOff, dst, dstOff);
          return;
        case SIGMOID:
          Elementwise.ACTIVE.sigmoid(n, src, srcOff, dst, dstOff);
          return;
        case RELU:
          Elementwise.ACTIVE.relu(n, src, srcOff, dst, dstOff);
          return;
        default:
          System.arraycopy(src, srcOff, dst, dstOff, n);
          return;
      }
    }
    for (int k = 0; k < n; k++) {
      dst[dstOff + k] = activate(function, src[srcOff + k]);
    }
  }

  /** The derivative at the input whose output is {@code y}. */
  static float derivative(int function, float y) {
    switch (function) {
      case TANH:
        return 1 - y * y;
      case SIGMOID:
        return y * (1 - y);
      case RELU:
        return y > 0 ? 1f : 0f;
      default:
        return 1f;
    }
  }

  /** Sets the initial states (slot 0 of each sample) of an [n, T + 1, H] state buffer to zero. */
  public static void zeroInitialState(int n, int steps, int units, float[] state) {
    for (int b = 0; b < n; b++) {
      java.util.Arrays.fill(state, b * (steps + 1) * units, (b * (steps + 1) + 1) * units, 0f);
    }
  }

  /**
   * Sets the initial states (slot 0 of each sample) of an [n, T + 1, H] state buffer to the carried
   * states {@code carried} [n, H]: a step program's recurrent layer starts where the last step of
   * the same sequence ended.
   */
  public static void loadState(int n, int steps, int units, float[] carried, float[] state) {
    for (int b = 0; b < n; b++) {
      System.arraycopy(carried, b * units, state, b * (steps + 1) * units, units);
    }
  }

  /** Copies the state after the last step (slot T of each sample) of [n, T + 1, H] into {@code carried} [n, H]. */
  public static void saveState(int n, int steps, int units, float[] state, float[] carried) {
    for (int b = 0; b < n; b++) {
      System.arraycopy(state, (b * (steps + 1) + steps) * units, carried, b * units, units);
    }
  }

  /**
   * Copies the outputs out of the [n, T + 1, H] hidden states: every step into [n, T, H] when
   * {@code sequences}, else the last step into [n, H].
   */
  public static void outputs(int n, int steps, int units, float[] h, float[] out, boolean sequences) {
    for (int b = 0; b < n; b++) {
      int from = (b * (steps + 1) + 1) * units;
      if (sequences) {
        System.arraycopy(h, from, out, b * steps * units, steps * units);
      } else {
        System.arraycopy(h, from + (steps - 1) * units, out, b * units, units);
      }
    }
  }

  /** The output gradient of sample b at step t: from [n, T, H] or, for the last step only, [n, H]. */
  private static float outputGradient(float[] dOut, boolean sequences, int b, int t, int steps, int units, int j) {
    if (sequences) {
      return dOut[(b * steps + t) * units + j];
    }
    return t == steps - 1 ? dOut[b * units + j] : 0f;
  }

  // ------------------------------------------------------------------------------------- LSTM

  /**
   * LSTM forward (Keras's form with one bias of 4H; PyTorch's with b_ih + b_hh): for each step,
   * gates = x W_ih + h W_hh + b; i, f, o = recurrentActivation, g = activation; c' = f c + i g;
   * h' = o activation(c'). Leaves the activated gates in {@code gates} [n, T, 4H] and the states
   * in {@code h} and {@code c} [n, T + 1, H], whose slot 0 must hold the initial state.
   */
  public static void lstmForward(Gemm gemm, int n, int steps, int inputs, int units, int activation,
      int recurrentActivation, float[] x, int xOff, float[] w, int wihOff, int whhOff, int biasOff, float[] gates,
      float[] h, float[] c) {
    int g4 = 4 * units;
    gemm.gemm(n * steps, g4, inputs, x, xOff, inputs, w, wihOff, g4, gates, 0, g4, false);
    for (int t = 0; t < steps; t++) {
      gemm.gemm(n, g4, units, h, t * units, (steps + 1) * units, w, whhOff, g4, gates, t * g4, steps * g4, true);
      for (int b = 0; b < n; b++) {
        int gi = (b * steps + t) * g4;
        int prev = (b * (steps + 1) + t) * units;
        int next = prev + units;
        // Each gate's pre-activation (with its bias) goes into h's next slot, free until the end
        // of the step, and is activated from there back into gates: whole rows through the vector
        // kernels, the same bits as activate() element by element.
        for (int q = 0; q < 4; q++) {
          int slice = gi + q * units;
          int bias = biasOff + q * units;
          for (int j = 0; j < units; j++) {
            h[next + j] = gates[slice + j] + w[bias + j];
          }
          activate(q == 2 ? activation : recurrentActivation, units, h, next, gates, slice);
        }
        for (int j = 0; j < units; j++) {
          c[next + j] = gates[gi + units + j] * c[prev + j] + gates[gi + j] * gates[gi + 2 * units + j];
        }
        activate(activation, units, c, next, h, next);
        for (int j = 0; j < units; j++) {
          h[next + j] = gates[gi + 3 * units + j] * h[next + j];
        }
      }
    }
  }

  /**
   * LSTM backward through time: from the output gradient ({@code dOut}: [n, T, H] when {@code
   * sequences}, else [n, H] for the last step), writes the gradient with respect to the gates'
   * pre-activations into {@code dGates} [n, T, 4H]; {@code dh} and {@code dc} are [n, H] scratch.
   * The gradients with respect to W_ih, W_hh, the bias and x are then products over dGates.
   */
  public static void lstmBackward(Gemm gemm, int n, int steps, int units, int activation, int recurrentActivation,
      float[] w, int whhOff, float[] gates, float[] h, float[] c, float[] dOut, boolean sequences, float[] dGates,
      float[] dh, float[] dc) {
    int g4 = 4 * units;
    // dh = dG W_hh^T each step. From 16 samples up it is computed as its transpose, W_hh dG^T, and
    // kept [H, n]: the product then packs dG^T (n x 4H) instead of W_hh^T (4H x H, 4x larger at
    // W6's batch of 32), every step. Each element is the same fma chain over the gates either way.
    boolean transposed = n >= TRANSPOSED_STATE_GRADIENT;
    int dhSample = transposed ? 1 : units;
    int dhUnit = transposed ? n : 1;
    java.util.Arrays.fill(dh, 0, n * units, 0f);
    java.util.Arrays.fill(dc, 0, n * units, 0f);
    for (int t = steps - 1; t >= 0; t--) {
      for (int b = 0; b < n; b++) {
        int gi = (b * steps + t) * g4;
        int prev = (b * (steps + 1) + t) * units;
        int next = prev + units;
        // activation(c') for the row, parked in dGates' o slice until each element overwrites it.
        activate(activation, units, c, next, dGates, gi + 3 * units);
        for (int j = 0; j < units; j++) {
          float dhv = dh[b * dhSample + j * dhUnit] + outputGradient(dOut, sequences, b, t, steps, units, j);
          float i = gates[gi + j];
          float f = gates[gi + units + j];
          float g = gates[gi + 2 * units + j];
          float o = gates[gi + 3 * units + j];
          float a = dGates[gi + 3 * units + j];
          float dcv = dc[b * units + j] + dhv * o * derivative(activation, a);
          dGates[gi + j] = dcv * g * derivative(recurrentActivation, i);
          dGates[gi + units + j] = dcv * c[prev + j] * derivative(recurrentActivation, f);
          dGates[gi + 2 * units + j] = dcv * i * derivative(activation, g);
          dGates[gi + 3 * units + j] = dhv * a * derivative(recurrentActivation, o);
          dc[b * units + j] = dcv * f;
        }
      }
      if (transposed) {
        gemm.gemmTransB(units, n, g4, w, whhOff, g4, dGates, t * g4, steps * g4, dh, 0, n, false);
      } else {
        gemm.gemmTransB(n, units, g4, dGates, t * g4, steps * g4, w, whhOff, g4, dh, 0, units, false);
      }
    }
  }

  // -------------------------------------------------------------------------------------- GRU

  /**
   * GRU forward in PyTorch's form (Keras's {@code reset_after = True}): r = σ(x W_ir + b_ir + h W_hr
   * + b_hr), z likewise, n = activation(x W_in + b_in + r (h W_hn + b_hn)), h' = (1 - z) n + z h.
   * Leaves r, z, n in {@code xg} [n, T, 3H], the hidden projections with their bias in {@code hg}
   * [n, T, 3H] (the backward pass needs h W_hn + b_hn) and the states in {@code h} [n, T + 1, H],
   * whose slot 0 must hold the initial state.
   */
  public static void gruForward(Gemm gemm, int n, int steps, int inputs, int units, int activation,
      int recurrentActivation, float[] x, int xOff, float[] w, int wihOff, int whhOff, int bihOff, int bhhOff,
      float[] xg, float[] hg, float[] h) {
    int g3 = 3 * units;
    gemm.gemm(n * steps, g3, inputs, x, xOff, inputs, w, wihOff, g3, xg, 0, g3, false);
    for (int t = 0; t < steps; t++) {
      gemm.gemm(n, g3, units, h, t * units, (steps + 1) * units, w, whhOff, g3, hg, t * g3, steps * g3, false);
      for (int b = 0; b < n; b++) {
        int gi = (b * steps + t) * g3;
        int prev = (b * (steps + 1) + t) * units;
        int next = prev + units;
        // As in lstmForward: pre-activations into h's next slot, activated from there as rows.
        for (int q = 0; q < 2; q++) {
          int slice = gi + q * units;
          for (int j = 0; j < units; j++) {
            h[next + j] = xg[slice + j] + w[bihOff + q * units + j] + hg[slice + j] + w[bhhOff + q * units + j];
          }
          activate(recurrentActivation, units, h, next, xg, slice); // r, z
        }
        int ni = gi + 2 * units;
        for (int j = 0; j < units; j++) {
          float hn = hg[ni + j] + w[bhhOff + 2 * units + j];
          hg[ni + j] = hn;
          h[next + j] = xg[ni + j] + w[bihOff + 2 * units + j] + xg[gi + j] * hn;
        }
        activate(activation, units, h, next, xg, ni); // n
        for (int j = 0; j < units; j++) {
          float z = xg[gi + units + j];
          h[next + j] = (1 - z) * xg[ni + j] + z * h[prev + j];
        }
      }
    }
  }

  /**
   * GRU backward through time: writes the gradient with respect to the input projections (x W_ih
   * + b_ih) into {@code dXg} and with respect to the hidden projections (h W_hh + b_hh) into
   * {@code dHg}, both [n, T, 3H]; {@code dh} is [n, H] scratch. {@code dOut} as for {@link
   * #lstmBackward}.
   */
  public static void gruBackward(Gemm gemm, int n, int steps, int units, int activation, int recurrentActivation,
      float[] w, int whhOff, float[] xg, float[] hg, float[] h, float[] dOut, boolean sequences, float[] dXg,
      float[] dHg, float[] dh) {
    int g3 = 3 * units;
    java.util.Arrays.fill(dh, 0, n * units, 0f);
    for (int t = steps - 1; t >= 0; t--) {
      for (int b = 0; b < n; b++) {
        int gi = (b * steps + t) * g3;
        int prev = (b * (steps + 1) + t) * units;
        for (int j = 0; j < units; j++) {
          float dhv = dh[b * units + j] + outputGradient(dOut, sequences, b, t, steps, units, j);
          float r = xg[gi + j];
          float z = xg[gi + units + j];
          float nv = xg[gi + 2 * units + j];
          float dn = dhv * (1 - z) * derivative(activation, nv);
          float dz = dhv * (h[prev + j] - nv) * derivative(recurrentActivation, z);
          float dr = dn * hg[gi + 2 * units + j] * derivative(recurrentActivation, r);
          dXg[gi + j] = dr;
          dXg[gi + units + j] = dz;
          dXg[gi + 2 * units + j] = dn;
          dHg[gi + j] = dr;
          dHg[gi + units + j] = dz;
          dHg[gi + 2 * units + j] = dn * r;
          dh[b * units + j] = dhv * z;
        }
      }
      gemm.gemmTransB(n, units, g3, dHg, t * g3, steps * g3, w, whhOff, g3, dh, 0, units, true);
    }
  }

  // -------------------------------------------------------------------------------- SimpleRNN

  /**
   * Simple RNN forward (Keras's form with one bias; PyTorch's with b_ih + b_hh): h' =
   * activation(x W_ih + h W_hh + b). {@code pre} [n, T, H] is scratch for the pre-activations;
   * the states go to {@code h} [n, T + 1, H], whose slot 0 must hold the initial state.
   */
  public static void rnnForward(Gemm gemm, int n, int steps, int inputs, int units, int activation, float[] x,
      int xOff, float[] w, int wihOff, int whhOff, int biasOff, float[] pre, float[] h) {
    gemm.gemm(n * steps, units, inputs, x, xOff, inputs, w, wihOff, units, pre, 0, units, false);
    for (int t = 0; t < steps; t++) {
      gemm.gemm(n, units, units, h, t * units, (steps + 1) * units, w, whhOff, units, pre, t * units,
          steps * units, true);
      for (int b = 0; b < n; b++) {
        int gi = (b * steps + t) * units;
        int next = (b * (steps + 1) + t + 1) * units;
        // The bias goes into pre (the forward pass's own scratch), then the row is activated.
        for (int j = 0; j < units; j++) {
          pre[gi + j] += w[biasOff + j];
        }
        activate(activation, units, pre, gi, h, next);
      }
    }
  }

  /**
   * Simple RNN backward through time: the gradient with respect to the pre-activations into
   * {@code dPre} [n, T, H]; {@code dh} is [n, H] scratch. {@code dOut} as for {@link #lstmBackward}.
   */
  public static void rnnBackward(Gemm gemm, int n, int steps, int units, int activation, float[] w, int whhOff,
      float[] h, float[] dOut, boolean sequences, float[] dPre, float[] dh) {
    java.util.Arrays.fill(dh, 0, n * units, 0f);
    for (int t = steps - 1; t >= 0; t--) {
      for (int b = 0; b < n; b++) {
        int gi = (b * steps + t) * units;
        int next = (b * (steps + 1) + t + 1) * units;
        for (int j = 0; j < units; j++) {
          float dhv = dh[b * units + j] + outputGradient(dOut, sequences, b, t, steps, units, j);
          dPre[gi + j] = dhv * derivative(activation, h[next + j]);
        }
      }
      gemm.gemmTransB(n, units, units, dPre, t * units, steps * units, w, whhOff, units, dh, 0, units, false);
    }
  }

  // ------------------------------------------------------------------------------ weight grads

  /**
   * dW_hh [H, G] (+)= Σ_b H_prev(b)^T dG(b), where H_prev(b) is sample b's states before each step
   * (slots 0..T-1 of {@code h}, [n, T + 1, H]) and dG(b) its [T, G] gate gradients: one product per
   * sample, since the state buffer has one more row per sample than the gates.
   */
  public static void recurrentWeightGradient(Gemm gemm, int n, int steps, int units, int gates, float[] h,
      float[] dGates, float[] grads, int gradOff, boolean accumulate) {
    for (int b = 0; b < n; b++) {
      gemm.gemmTransA(units, gates, steps, h, b * (steps + 1) * units, units, dGates, b * steps * gates, gates,
          grads, gradOff, gates, accumulate || b > 0);
    }
  }
}
