package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.kernels.RecurrentReference.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Recurrent}'s fast form (input projections of all steps in one product, one recurrent
 * product per step, gate gradients then single products) against {@link RecurrentReference}, on odd
 * shapes, with the scalar and the active (SIMD) GEMM, every activation pair, and outputs of every
 * step or of the last step only: outputs within 3e-5 and every gradient within 1e-4 (relative to
 * the tensor's scale). The reference computes in double, so the bound on outputs is float32's
 * rounding carried through the steps (a GRU with a linear candidate over 4 steps differs by 1.4e-5);
 * against PyTorch's float32 the fixture tests hold 1e-5.
 */
class RecurrentTest {

  /**
   * From 16 samples the LSTM's backward pass computes dh transposed (W_hh dG^T, packing the smaller
   * operand): each sample's gate gradients must be the bits a batch of 8 gives it (the product's
   * packed path either way: the same fma chain over the gates per element).
   */
  @Test
  void lstmGateGradientsAreTheSameBitsWithTheTransposedStateGradient() {
    int wide = 17;
    int narrow = 8;
    int steps = 4;
    int inputs = 3;
    int units = 19;
    int g4 = 4 * units;
    Random random = new Random(41);
    float[] x = uniform(random, wide * steps * inputs, 1.5f);
    float[] w = uniform(random, inputs * g4 + units * g4 + g4, 0.6f);
    float[] dOut = uniform(random, wide * steps * units, 1f);
    float[][] dGates = new float[2][];
    int[] batches = {wide, narrow};
    for (int run = 0; run < 2; run++) {
      int n = batches[run];
      float[] gates = new float[n * steps * g4];
      float[] h = new float[n * (steps + 1) * units];
      float[] c = new float[n * (steps + 1) * units];
      dGates[run] = new float[n * steps * g4];
      Recurrent.lstmForward(Gemm.ACTIVE, n, steps, inputs, units, Recurrent.TANH, Recurrent.SIGMOID, x, 0, w, 0,
          inputs * g4, inputs * g4 + units * g4, gates, h, c);
      Recurrent.lstmBackward(Gemm.ACTIVE, n, steps, units, Recurrent.TANH, Recurrent.SIGMOID, w, inputs * g4, gates,
          h, c, dOut, true, dGates[run], new float[n * units], new float[n * units]);
    }
    for (int k = 0; k < narrow * steps * g4; k++) {
      assertEquals(Float.floatToRawIntBits(dGates[1][k]), Float.floatToRawIntBits(dGates[0][k]), "gate gradient " + k);
    }
  }

  /**
   * The gates activate whole rows through the active element-wise kernels (the Vector API ones
   * when present) and elsewhere one element at a time (activate(int, float)): both must give the
   * same bits, or a step program's state would drift from the whole-sequence pass. Rows of odd
   * lengths (vector tails), the series bounds, saturation, signed zeros, infinities.
   */
  @Test
  void rowActivationsGiveTheElementwiseBits() {
    Random random = new Random(23);
    float[] specials = {0f, -0f, 0.625f, -0.625f, 0.3465f, 9f, -9f, 44f, -44f, 89f, -89f, 100f, -100f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE};
    for (int n : new int[] {1, 7, 16, 37, 128, 131}) {
      float[] src = new float[n + 3];
      for (int k = 0; k < src.length; k++) {
        src[k] = k < specials.length && n > 100 ? specials[k] : (float) (random.nextGaussian() * 4);
      }
      for (int function : new int[] {Recurrent.LINEAR, Recurrent.TANH, Recurrent.SIGMOID, Recurrent.RELU}) {
        float[] row = new float[n + 5];
        Recurrent.activate(function, n, src, 3, row, 5);
        for (int k = 0; k < n; k++) {
          float expected = Recurrent.activate(function, src[3 + k]);
          assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(row[5 + k]),
              "function " + function + ", n " + n + ", x = " + src[3 + k]);
        }
      }
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    // n = 17: from 16 samples the LSTM computes its state gradient transposed.
    int[][] shapes = {{3, 5, 3, 7}, {1, 1, 2, 1}, {2, 4, 9, 17}, {5, 3, 1, 2}, {17, 3, 4, 5}};
    int[][] activations = {{Recurrent.TANH, Recurrent.SIGMOID}, {Recurrent.RELU, Recurrent.SIGMOID},
        {Recurrent.SIGMOID, Recurrent.TANH}, {Recurrent.LINEAR, Recurrent.SIGMOID}};
    for (Kind kind : Kind.values()) {
      for (int[] s : shapes) {
        for (int[] a : activations) {
          for (boolean sequences : new boolean[] {true, false}) {
            for (String gemm : new String[] {"scalar", "active"}) {
              cases.add(Arguments.of(kind, s[0], s[1], s[2], s[3], a[0], a[1], sequences, gemm));
            }
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} n={1} T={2} I={3} H={4} act={5},{6} sequences={7} {8}")
  @MethodSource("cases")
  void fastFormMatchesReference(Kind kind, int n, int steps, int inputs, int units, int act, int ract,
      boolean sequences, String gemmName) {
    Gemm gemm = gemmName.equals("scalar") ? new ScalarGemm() : Gemm.ACTIVE;
    Random random = new Random(31L * n + 7L * steps + inputs * 131L + units + act * 17L + kind.ordinal());
    int g = RecurrentReference.gates(kind, units);
    float[] x = uniform(random, n * steps * inputs, 1.5f);
    float[] wih = uniform(random, inputs * g, 0.6f);
    float[] whh = uniform(random, units * g, 0.6f);
    float[] b1 = uniform(random, g, 0.3f);
    float[] b2 = uniform(random, g, 0.3f);
    float[] dOutSeq = uniform(random, n * steps * units, 1f);
    float[] dOut;
    if (!sequences) { // only the last step's output exists
      dOut = new float[n * units];
      for (int b = 0; b < n; b++) {
        for (int t = 0; t < steps; t++) {
          for (int j = 0; j < units; j++) {
            if (t == steps - 1) {
              dOut[b * units + j] = dOutSeq[(b * steps + t) * units + j];
            } else {
              dOutSeq[(b * steps + t) * units + j] = 0;
            }
          }
        }
      }
    } else {
      dOut = dOutSeq;
    }
    RecurrentReference.Result expected =
        RecurrentReference.run(kind, n, steps, inputs, units, act, ract, x, wih, whh, b1, b2, dOutSeq);

    // The flat parameter array, at odd offsets: W_ih, W_hh, b1 (and b2).
    int wihOff = 3;
    int whhOff = wihOff + wih.length;
    int b1Off = whhOff + whh.length;
    int b2Off = b1Off + g;
    float[] w = new float[b2Off + g + 5];
    System.arraycopy(wih, 0, w, wihOff, wih.length);
    System.arraycopy(whh, 0, w, whhOff, whh.length);
    System.arraycopy(b1, 0, w, b1Off, g);
    System.arraycopy(b2, 0, w, b2Off, g);
    float[] xg = new float[n * steps * g];
    float[] hg = new float[n * steps * g];
    float[] h = new float[n * (steps + 1) * units];
    float[] c = new float[n * (steps + 1) * units];
    float[] dG = new float[n * steps * g];
    float[] dHg = new float[n * steps * g];
    float[] dh = new float[n * units];
    float[] dc = new float[n * units];
    java.util.Arrays.fill(h, Float.NaN); // slot 0 is zeroed; the rest must be written
    java.util.Arrays.fill(c, Float.NaN);
    Recurrent.zeroInitialState(n, steps, units, h);
    Recurrent.zeroInitialState(n, steps, units, c);
    float[] out = new float[n * (sequences ? steps : 1) * units];
    float[] grads = new float[w.length];
    float[] dX = new float[n * steps * inputs];
    switch (kind) {
      case LSTM:
        Recurrent.lstmForward(gemm, n, steps, inputs, units, act, ract, x, 0, w, wihOff, whhOff, b1Off, xg, h, c);
        Recurrent.lstmBackward(gemm, n, steps, units, act, ract, w, whhOff, xg, h, c, dOut, sequences, dG, dh, dc);
        dHg = dG;
        break;
      case GRU:
        Recurrent.gruForward(gemm, n, steps, inputs, units, act, ract, x, 0, w, wihOff, whhOff, b1Off, b2Off, xg,
            hg, h);
        Recurrent.gruBackward(gemm, n, steps, units, act, ract, w, whhOff, xg, hg, h, dOut, sequences, dG, dHg, dh);
        break;
      default:
        Recurrent.rnnForward(gemm, n, steps, inputs, units, act, x, 0, w, wihOff, whhOff, b1Off, xg, h);
        Recurrent.rnnBackward(gemm, n, steps, units, act, w, whhOff, h, dOut, sequences, dG, dh);
        dHg = dG;
    }
    Recurrent.outputs(n, steps, units, h, out, sequences);
    gemm.gemmTransA(inputs, g, n * steps, x, 0, inputs, dG, 0, g, grads, wihOff, g, false);
    Recurrent.recurrentWeightGradient(gemm, n, steps, units, g, h, dHg, grads, whhOff, false);
    gemm.gemmTransB(n * steps, inputs, g, dG, 0, g, w, wihOff, g, dX, 0, inputs, false);
    float[] dB1 = new float[g];
    float[] dB2 = new float[g];
    for (int r = 0; r < n * steps; r++) {
      for (int q = 0; q < g; q++) {
        dB1[q] += dG[r * g + q];
        dB2[q] += dHg[r * g + q];
      }
    }

    double[] expectedOut = expected.h();
    if (!sequences) {
      expectedOut = new double[n * units];
      for (int b = 0; b < n; b++) {
        System.arraycopy(expected.h(), ((b + 1) * steps - 1) * units, expectedOut, b * units, units);
      }
    }
    assertClose(expectedOut, out, 0, 3e-5, "output");
    assertClose(expected.dWih(), grads, wihOff, 1e-4, "dW_ih");
    assertClose(expected.dWhh(), grads, whhOff, 1e-4, "dW_hh");
    assertClose(expected.dB1(), dB1, 0, 1e-4, "d bias (ih)");
    if (kind == Kind.GRU) {
      assertClose(expected.dB2(), dB2, 0, 1e-4, "d bias_hh");
    }
    assertClose(expected.dX(), dX, 0, 1e-4, "dX");
  }

  private static float[] uniform(Random random, int count, float limit) {
    float[] a = new float[count];
    for (int i = 0; i < count; i++) {
      a[i] = (random.nextFloat() * 2 - 1) * limit;
    }
    return a;
  }

  private static void assertClose(double[] expected, float[] actual, int offset, double tolerance, String what) {
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    assertEquals(true, offset + expected.length <= actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double bound = tolerance * Math.max(Math.abs(expected[i]), 1e-2 * scale) + 1e-7;
      if (!(Math.abs(actual[offset + i] - expected[i]) <= bound)) {
        fail(String.format("%s[%d]: expected %.9g, got %.9g", what, i, expected[i], actual[offset + i]));
      }
    }
  }
}
