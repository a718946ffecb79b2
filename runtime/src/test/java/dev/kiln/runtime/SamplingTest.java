package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplingTest {
  private static final float[] P = {0.1f, 0.2f, 0.4f, 0.3f};
  private static final int DRAWS = 200_000;

  private static double[] frequencies(Sampling s, double temperature, int topK) {
    double[] f = new double[P.length];
    for (int i = 0; i < DRAWS; i++) {
      f[s.sample(P, temperature, topK)] += 1.0 / DRAWS;
    }
    return f;
  }

  /** Within 5 standard errors of the expected frequency. */
  private static void assertFrequencies(double[] expected, double[] actual) {
    for (int i = 0; i < expected.length; i++) {
      double se = Math.sqrt(expected[i] * (1 - expected[i]) / DRAWS);
      assertEquals(expected[i], actual[i], 5 * se + 1e-12, "class " + i);
    }
  }

  @Test
  void temperatureOneDrawsTheModelsDistribution() {
    assertFrequencies(new double[] {0.1, 0.2, 0.4, 0.3}, frequencies(new Sampling(4, 1), 1.0, 0));
  }

  @Test
  void temperatureTwoDrawsSquareRootsNormalized() {
    double[] w = new double[4];
    double total = 0;
    for (int i = 0; i < 4; i++) {
      w[i] = Math.sqrt(P[i]);
      total += w[i];
    }
    for (int i = 0; i < 4; i++) {
      w[i] /= total; // 0.1 -> 0.1536, 0.2 -> 0.2172, 0.4 -> 0.3072, 0.3 -> 0.2661
    }
    assertFrequencies(w, frequencies(new Sampling(4, 2), 2.0, 0));
  }

  @Test
  void topTwoRenormalizesTheTwoMostProbable() {
    assertFrequencies(new double[] {0, 0, 0.4 / 0.7, 0.3 / 0.7}, frequencies(new Sampling(4, 3), 1.0, 2));
  }

  @Test
  void topOneAndATinyTemperatureAreArgmax() {
    Sampling s = new Sampling(4, 4);
    for (int i = 0; i < 1000; i++) {
      assertEquals(2, s.sample(P, 1.0, 1));
      assertEquals(2, s.sample(P, 1e-3, 0));
    }
  }

  @Test
  void theSameSeedDrawsTheSameSequence() {
    Sampling a = new Sampling(4, 99);
    Sampling b = new Sampling(4, 99);
    for (int i = 0; i < 1000; i++) {
      assertEquals(a.sample(P, 0.8, 3), b.sample(P, 0.8, 3));
    }
  }

  @Test
  void zeroProbabilitiesAreNeverDrawnAndBadArgumentsAreNamed() {
    Sampling s = new Sampling(3, 5);
    float[] p = {0, 1, 0};
    for (int i = 0; i < 1000; i++) {
      assertEquals(1, s.sample(p, 2.0, 0));
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.sample(p, 0, 0)).getMessage()
        .contains("temperature must be > 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.sample(new float[] {0, -1, 1}, 1, 0))
        .getMessage().contains("probability 1 is -1.0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.sample(new float[] {0, 0, 0}, 1, 0))
        .getMessage().contains("every probability among the candidates is 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.sample(new float[2], 1, 0))
        .getMessage().contains("expected 3 probabilities, got 2"));
  }
}
