package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The noise stream's statistics and reproducibility. */
class NoiseTest {
  private static final int N = 200_000;

  @Test
  void dropoutZeroesTheRateAndScalesTheRest() {
    float[] x = new float[N];
    java.util.Arrays.fill(x, 2f);
    float[] y = new float[N];
    float[] mask = new float[N];
    Noise.dropout(N, 0.3f, new long[] {5}, x, 0, y, 0, mask, 0);
    int zeros = 0;
    for (int i = 0; i < N; i++) {
      if (mask[i] == 0) {
        zeros++;
        assertEquals(0f, y[i]);
      } else {
        assertEquals((float) (1 / 0.7), mask[i]);
        assertEquals(2f * mask[i], y[i]);
      }
    }
    // Binomial(200000, 0.3): standard deviation ~205; 5 sigma.
    assertEquals(0.3 * N, zeros, 1025);
  }

  @Test
  void theSameSeedGivesTheSameMask() {
    float[] x = new float[1000];
    java.util.Arrays.fill(x, 1f);
    float[] a = new float[1000];
    float[] b = new float[1000];
    Noise.dropout(1000, 0.5f, new long[] {42}, x, 0, new float[1000], 0, a, 0);
    Noise.dropout(1000, 0.5f, new long[] {42}, x, 0, new float[1000], 0, b, 0);
    assertArrayEquals(a, b);
  }

  @Test
  void spatialDropoutDropsWholeChannelsWithDropoutsDrawsInSampleThenChannelOrder() {
    int n = 3;
    int positions = 5; // a 1x5 image
    int channels = 7;
    float[] x = new float[n * positions * channels];
    for (int i = 0; i < x.length; i++) {
      x[i] = 0.25f * i - 3;
    }
    float[] y = new float[x.length + 2];
    float[] mask = new float[n * channels + 1];
    Noise.spatialDropout(n, positions, channels, 0.4f, new long[] {77}, x, 0, y, 2, mask, 1);
    // One draw per (sample, channel): the same draws dropout makes for n * channels values.
    float[] expectedMask = new float[n * channels];
    Noise.dropout(n * channels, 0.4f, new long[] {77}, new float[n * channels], 0, new float[n * channels], 0,
        expectedMask, 0);
    assertArrayEquals(expectedMask, java.util.Arrays.copyOfRange(mask, 1, mask.length));
    int dropped = 0;
    for (int s = 0; s < n; s++) {
      for (int c = 0; c < channels; c++) {
        float factor = expectedMask[s * channels + c];
        dropped += factor == 0 ? 1 : 0;
        for (int p = 0; p < positions; p++) {
          int i = (s * positions + p) * channels + c;
          assertEquals(x[i] * factor, y[2 + i], 0f, "sample " + s + " position " + p + " channel " + c);
        }
      }
    }
    assertTrue(dropped > 0 && dropped < n * channels, "this seed keeps some channels and drops others");
    float[] dy = new float[x.length];
    for (int i = 0; i < dy.length; i++) {
      dy[i] = 1f + i;
    }
    float[] dx = new float[x.length];
    Noise.spatialDropoutBackward(n, positions, channels, dy, 0, mask, 1, dx, 0);
    for (int i = 0; i < dx.length; i++) {
      int s = i / (positions * channels);
      assertEquals(dy[i] * expectedMask[s * channels + i % channels], dx[i], 0f);
    }
  }

  @Test
  void gaussianNoiseHasTheRequestedStandardDeviation() {
    float[] x = new float[N + 1]; // odd: the last value takes half a Box-Muller pair
    java.util.Arrays.fill(x, 1f);
    float[] y = new float[N + 1];
    Noise.gaussian(N + 1, 0.5f, new long[] {9}, x, 0, y, 0);
    double sum = 0;
    double squares = 0;
    for (float v : y) {
      sum += v - 1;
      squares += (v - 1) * (v - 1);
    }
    double mean = sum / y.length;
    double std = Math.sqrt(squares / y.length - mean * mean);
    assertEquals(0, mean, 0.005); // standard error 0.5 / sqrt(200001) ~ 0.0011
    assertEquals(0.5, std, 0.005);
    assertTrue(y[N] != 1f, "the odd last value gets noise too");
  }
}
