package dev.kiln.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Checks every optimizer against an independent double-precision transcription of its formula.
 * Hyperparameters are floats, so the references use exactly those float values widened to double.
 */
class OptimizersTest {
  private static final double TOLERANCE = 1e-6;

  private static final float[] INITIAL = {0.5f, -1.25f, 2.0f, -0.75f, 1.5f, 0.3f};
  private static final float[][] GRADIENTS = {
    {0.1f, -0.2f, 0.3f, 0.05f, -0.4f, 0.25f},
    {0.15f, 0.1f, -0.35f, 0.2f, -0.1f, 0.3f},
    {-0.05f, -0.3f, 0.25f, 0.6f, 0.05f, -0.2f},
  };

  /** A reference optimizer: one step on {@code w[from, to)} with iteration number {@code t}. */
  private interface Reference {
    void step(double[] w, double[] g, int from, int to, long t, double lr);
  }

  /** An optimizer under test with its reference and hyperparameters. */
  private record Case(String name, float lr, Supplier<Optimizer> create,
      Supplier<Reference> reference) {}

  private static final float LR = 0.05f;
  private static final float MU = 0.9f;
  private static final float RHO = 0.8f;
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.99f;
  // Large enough that where epsilon is added (inside or outside the square root, before or after
  // bias correction) changes the result far beyond the tolerance.
  private static final float EPS = 0.01f;
  private static final float WD = 0.1f;

  private static List<Case> cases() {
    int n = INITIAL.length;
    double mu = MU;
    double rho = RHO;
    double b1 = BETA1;
    double b2 = BETA2;
    double eps = EPS;
    double wd = WD;
    return List.of(
        new Case("sgd", LR, () -> Optimizers.sgd(n, LR), () -> (w, g, from, to, t, lr) -> {
          for (int i = from; i < to; i++) {
            w[i] = w[i] - lr * g[i];
          }
        }),
        new Case("momentum", LR, () -> Optimizers.momentum(n, LR, MU), () -> {
          double[] v = new double[n];
          return (w, g, from, to, t, lr) -> {
            for (int i = from; i < to; i++) {
              v[i] = mu * v[i] + lr * g[i];
              w[i] = w[i] - v[i];
            }
          };
        }),
        new Case("nesterov", LR, () -> Optimizers.nesterov(n, LR, MU), () -> {
          double[] v = new double[n];
          return (w, g, from, to, t, lr) -> {
            for (int i = from; i < to; i++) {
              v[i] = mu * v[i] + g[i];
              w[i] = w[i] - lr * (g[i] + mu * v[i]);
            }
          };
        }),
        new Case("adaGrad", LR, () -> Optimizers.adaGrad(n, LR, EPS), () -> {
          double[] r = new double[n];
          return (w, g, from, to, t, lr) -> {
            for (int i = from; i < to; i++) {
              r[i] = r[i] + g[i] * g[i];
              w[i] = w[i] - lr * g[i] / (Math.sqrt(r[i]) + eps);
            }
          };
        }),
        new Case("rmsProp", LR, () -> Optimizers.rmsProp(n, LR, RHO, EPS), () -> {
          double[] r = new double[n];
          return (w, g, from, to, t, lr) -> {
            for (int i = from; i < to; i++) {
              r[i] = rho * r[i] + (1 - rho) * g[i] * g[i];
              w[i] = w[i] - lr * g[i] / (Math.sqrt(r[i]) + eps);
            }
          };
        }),
        new Case("adam", LR, () -> Optimizers.adam(n, LR, BETA1, BETA2, EPS),
            () -> adamReference(n, b1, b2, eps, 0)),
        new Case("adamW", LR, () -> Optimizers.adamW(n, LR, BETA1, BETA2, EPS, WD),
            () -> adamReference(n, b1, b2, eps, wd)));
  }

  private static Reference adamReference(int n, double b1, double b2, double eps, double wd) {
    double[] m = new double[n];
    double[] v = new double[n];
    return (w, g, from, to, t, lr) -> {
      for (int i = from; i < to; i++) {
        w[i] = w[i] - lr * wd * w[i];
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        double mHat = m[i] / (1 - Math.pow(b1, t));
        double vHat = v[i] / (1 - Math.pow(b2, t));
        w[i] = w[i] - lr * mHat / (Math.sqrt(vHat) + eps);
      }
    };
  }

  private static double[] widen(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  private static void assertClose(String what, double[] expected, float[] actual) {
    for (int i = 0; i < expected.length; i++) {
      double error = Math.abs(actual[i] - expected[i]);
      assertTrue(error <= TOLERANCE * Math.abs(expected[i]),
          what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
    }
  }

  @Test
  void threeStepsMatchTheFormulas() {
    for (Case c : cases()) {
      Optimizer optimizer = c.create().get();
      Reference reference = c.reference().get();
      float[] w = INITIAL.clone();
      double[] expected = widen(INITIAL);
      for (int step = 0; step < GRADIENTS.length; step++) {
        optimizer.step(w, GRADIENTS[step].clone(), 0, w.length);
        reference.step(expected, widen(GRADIENTS[step]), 0, w.length, step + 1, c.lr());
        assertClose(c.name() + " step " + (step + 1), expected, w);
        assertEquals(step + 1, optimizer.iterations(), c.name());
      }
      // Each step moved the parameters by far more than the tolerance.
      assertTrue(Math.abs(w[0] - INITIAL[0]) > 1e-3, c.name());
    }
  }

  @Test
  void learningRateChangesTakeEffectBetweenSteps() {
    float[] rates = {LR, 0.2f, 0f};
    for (Case c : cases()) {
      Optimizer optimizer = c.create().get();
      Reference reference = c.reference().get();
      float[] w = INITIAL.clone();
      double[] expected = widen(INITIAL);
      for (int step = 0; step < GRADIENTS.length; step++) {
        optimizer.setLearningRate(rates[step]);
        assertEquals(rates[step], optimizer.learningRate());
        optimizer.step(w, GRADIENTS[step], 0, w.length);
        reference.step(expected, widen(GRADIENTS[step]), 0, w.length, step + 1, rates[step]);
        assertClose(c.name() + " step " + (step + 1), expected, w);
      }
    }
  }

  @Test
  void offsetAndLengthUpdateOnlyThatSlice() {
    int[][] slices = {{1, 3}, {0, 6}, {4, 2}};
    for (Case c : cases()) {
      Optimizer optimizer = c.create().get();
      Reference reference = c.reference().get();
      float[] w = INITIAL.clone();
      double[] expected = widen(INITIAL);
      for (int step = 0; step < slices.length; step++) {
        int offset = slices[step][0];
        int length = slices[step][1];
        float[] before = w.clone();
        optimizer.step(w, GRADIENTS[step], offset, length);
        reference.step(expected, widen(GRADIENTS[step]), offset, offset + length, step + 1,
            c.lr());
        assertClose(c.name() + " step " + (step + 1), expected, w);
        for (int i = 0; i < w.length; i++) {
          if (i < offset || i >= offset + length) {
            assertEquals(before[i], w[i], c.name() + " touched element " + i);
          }
        }
      }
    }
  }

  @Test
  void resetRestartsFromZeroStateKeepingTheLearningRate() {
    for (Case c : cases()) {
      Optimizer used = c.create().get();
      float[] scratch = INITIAL.clone();
      used.step(scratch, GRADIENTS[0], 0, scratch.length);
      used.step(scratch, GRADIENTS[1], 0, scratch.length);
      used.reset();
      assertEquals(0, used.iterations());
      assertEquals(c.lr(), used.learningRate());
      Optimizer fresh = c.create().get();
      float[] a = INITIAL.clone();
      float[] b = INITIAL.clone();
      used.step(a, GRADIENTS[2], 0, a.length);
      fresh.step(b, GRADIENTS[2], 0, b.length);
      assertArrayEquals(b, a, c.name());
    }
  }

  @Test
  void stepRejectsRangesOutsideStateOrArrays() {
    for (Case c : cases()) {
      Optimizer optimizer = c.create().get();
      float[] w = INITIAL.clone();
      float[] g = GRADIENTS[0];
      assertThrows(IndexOutOfBoundsException.class, () -> optimizer.step(w, g, 4, 3));
      assertThrows(IndexOutOfBoundsException.class, () -> optimizer.step(w, g, -1, 2));
      assertThrows(IndexOutOfBoundsException.class, () -> optimizer.step(w, g, 0, -1));
      assertThrows(IndexOutOfBoundsException.class,
          () -> optimizer.step(new float[3], g, 0, 6));
      assertThrows(IndexOutOfBoundsException.class,
          () -> optimizer.step(w, new float[3], 0, 6));
      assertArrayEquals(INITIAL, w);
      assertEquals(0, optimizer.iterations());
      optimizer.step(w, g, 6, 0); // empty slices are allowed
      assertEquals(1, optimizer.iterations());
    }
  }

  @Test
  void describeShowsCurrentHyperparameters() {
    assertEquals("Adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-07)",
        Optimizers.adam(3, 0.001f, 0.9f, 0.999f, 1e-7f).describe());
    assertEquals("AdamW(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08, weightDecay=0.01)",
        Optimizers.adamW(3, 0.001f, 0.9f, 0.999f, 1e-8f, 0.01f).describe());
    assertEquals("SGD(lr=0.01)", Optimizers.sgd(3, 0.01f).describe());
    assertEquals("Momentum(lr=0.01, momentum=0.9)", Optimizers.momentum(3, 0.01f, 0.9f).describe());
    assertEquals("Nesterov(lr=0.01, momentum=0.0)", Optimizers.nesterov(3, 0.01f, 0f).describe());
    assertEquals("AdaGrad(lr=0.5, epsilon=1e-10)", Optimizers.adaGrad(3, 0.5f, 1e-10f).describe());
    Optimizer rms = Optimizers.rmsProp(3, 0.001f, 0.9f, 1e-7f);
    assertEquals("RMSProp(lr=0.001, rho=0.9, epsilon=1e-07)", rms.describe());
    rms.setLearningRate(2f);
    assertEquals("RMSProp(lr=2.0, rho=0.9, epsilon=1e-07)", rms.toString());
  }

  @Test
  void formatsNumbersLikePython() {
    assertEquals("0.0001", Hyperparameters.format(1e-4f));
    assertEquals("1e-05", Hyperparameters.format(1e-5f));
    assertEquals("1.5e-05", Hyperparameters.format(1.5e-5f));
    assertEquals("100.0", Hyperparameters.format(100f));
    assertEquals("123456.78", Hyperparameters.format(123456.78f));
    assertEquals("1e+16", Hyperparameters.format(1e16f)); // Float.toString on JDK 17: 1.00000003E16
    assertEquals("3.4028235e+38", Hyperparameters.format(Float.MAX_VALUE));
    assertEquals("1e-45", Hyperparameters.format(Float.MIN_VALUE));
    assertEquals("0.1", Hyperparameters.format(0.1f));
    assertEquals("-0.25", Hyperparameters.format(-0.25f));
    assertEquals("0.0", Hyperparameters.format(0f));
    assertEquals("nan", Hyperparameters.format(Float.NaN));
    assertEquals("-inf", Hyperparameters.format(Float.NEGATIVE_INFINITY));
  }

  @Test
  void invalidHyperparametersAreRejectedWithTheValue() {
    assertRejected(() -> Optimizers.sgd(3, -0.1f),
        "SGD learning rate must be finite and >= 0, got -0.1");
    assertRejected(() -> Optimizers.sgd(3, Float.NaN), "got nan");
    assertRejected(() -> Optimizers.adam(3, Float.POSITIVE_INFINITY, 0.9f, 0.999f, 1e-7f),
        "Adam learning rate must be finite and >= 0, got inf");
    assertRejected(() -> Optimizers.sgd(-1, 0.1f), "SGD size must be >= 0, got -1");
    assertRejected(() -> Optimizers.momentum(3, 0.1f, 1f),
        "Momentum momentum must be in [0, 1), got 1.0");
    assertRejected(() -> Optimizers.nesterov(3, 0.1f, -0.5f),
        "Nesterov momentum must be in [0, 1), got -0.5");
    assertRejected(() -> Optimizers.adaGrad(3, 0.1f, 0f),
        "AdaGrad epsilon must be finite and > 0, got 0.0");
    assertRejected(() -> Optimizers.rmsProp(3, 0.1f, 1.5f, 1e-7f),
        "RMSProp rho must be in [0, 1), got 1.5");
    assertRejected(() -> Optimizers.rmsProp(3, 0.1f, 0.9f, -1e-7f),
        "RMSProp epsilon must be finite and > 0, got -1e-07");
    assertRejected(() -> Optimizers.adam(3, 0.1f, Float.NaN, 0.999f, 1e-7f),
        "Adam beta1 must be in [0, 1), got nan");
    assertRejected(() -> Optimizers.adam(3, 0.1f, 0.9f, 1f, 1e-7f),
        "Adam beta2 must be in [0, 1), got 1.0");
    assertRejected(() -> Optimizers.adam(3, 0.1f, 0.9f, 0.999f, Float.POSITIVE_INFINITY),
        "Adam epsilon must be finite and > 0, got inf");
    assertRejected(() -> Optimizers.adamW(3, 0.1f, 0.9f, 0.999f, 1e-7f, -0.01f),
        "AdamW weightDecay must be finite and >= 0, got -0.01");
    assertRejected(() -> Optimizers.adamW(3, 0.1f, 0.95f, -0.1f, 1e-7f, 0.01f),
        "AdamW beta2 must be in [0, 1), got -0.1");

    for (Case c : cases()) {
      Optimizer optimizer = c.create().get();
      assertRejected(() -> optimizer.setLearningRate(Float.NaN), "learning rate");
      assertRejected(() -> optimizer.setLearningRate(-1f), "got -1.0");
      assertRejected(() -> optimizer.setLearningRate(Float.POSITIVE_INFINITY), "got inf");
      assertEquals(c.lr(), optimizer.learningRate());
    }
  }

  private static void assertRejected(Executable executable, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    assertTrue(e.getMessage().contains(message), "expected \"" + message + "\" in: "
        + e.getMessage());
  }
}
