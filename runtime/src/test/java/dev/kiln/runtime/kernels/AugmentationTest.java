package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.kernels.Augmentation.Fill;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The augmentation kernels on hand-derived images (Keras's fill modes on a row {@code a b c d},
 * zooms about the centre), their transposes by the adjoint identity, and the draws' contract: a
 * sample's transform depends on the seed, the layer and its position in the training stream only.
 */
class AugmentationTest {
  /** A 3x4 one-channel image, rows 1 2 3 4 / 5 6 7 8 / 9 10 11 12. */
  private static final float[] IMAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

  private static float[] resampled(float[] image, int height, int width, float[] drawn, Fill fill, float fillValue,
      boolean bilinear) {
    float[] out = new float[image.length];
    Augmentation.resample(1, height, width, 1, drawn, fill, fillValue, bilinear, image, out);
    return out;
  }

  /** s = 1, o = -shift: the content moves down by dy and right by dx. */
  private static float[] shift(float dy, float dx) {
    return new float[] {1, -dy, 1, -dx};
  }

  @Test
  void oneAndTwoPixelsRightWithEachFillMode() {
    for (boolean bilinear : new boolean[] {true, false}) {
      assertArrayEquals(new float[] {1, 1, 2, 3, 5, 5, 6, 7, 9, 9, 10, 11},
          resampled(IMAGE, 3, 4, shift(0, 1), Fill.REFLECT, 0, bilinear));
      assertArrayEquals(new float[] {4, 1, 2, 3, 8, 5, 6, 7, 12, 9, 10, 11},
          resampled(IMAGE, 3, 4, shift(0, 1), Fill.WRAP, 0, bilinear));
      assertArrayEquals(new float[] {1, 1, 2, 3, 5, 5, 6, 7, 9, 9, 10, 11},
          resampled(IMAGE, 3, 4, shift(0, 1), Fill.NEAREST, 0, bilinear));
      assertArrayEquals(new float[] {-7, 1, 2, 3, -7, 5, 6, 7, -7, 9, 10, 11},
          resampled(IMAGE, 3, 4, shift(0, 1), Fill.CONSTANT, -7, bilinear));
      // Two pixels tell reflection (b a | a b) from the nearest pixel (a a | a b).
      assertArrayEquals(new float[] {2, 1, 1, 2, 6, 5, 5, 6, 10, 9, 9, 10},
          resampled(IMAGE, 3, 4, shift(0, 2), Fill.REFLECT, 0, bilinear));
      assertArrayEquals(new float[] {1, 1, 1, 2, 5, 5, 5, 6, 9, 9, 9, 10},
          resampled(IMAGE, 3, 4, shift(0, 2), Fill.NEAREST, 0, bilinear));
      assertArrayEquals(new float[] {3, 4, 1, 2, 7, 8, 5, 6, 11, 12, 9, 10},
          resampled(IMAGE, 3, 4, shift(0, 2), Fill.WRAP, 0, bilinear));
    }
  }

  @Test
  void onePixelUpWithEachFillMode() {
    // The content moves up: output row r reads input row r + 1; row 3 is outside.
    assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10, 11, 12, 9, 10, 11, 12},
        resampled(IMAGE, 3, 4, shift(-1, 0), Fill.REFLECT, 0, true));
    assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4},
        resampled(IMAGE, 3, 4, shift(-1, 0), Fill.WRAP, 0, true));
    assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10, 11, 12, 9, 10, 11, 12},
        resampled(IMAGE, 3, 4, shift(-1, 0), Fill.NEAREST, 0, true));
    assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10, 11, 12, 0.5f, 0.5f, 0.5f, 0.5f},
        resampled(IMAGE, 3, 4, shift(-1, 0), Fill.CONSTANT, 0.5f, true));
  }

  @Test
  void halfAPixelIsTheMeanOfTheTwoNeighboursEachFixedByTheFillMode() {
    // Output x samples x - 0.5: (in[x - 1] + in[x]) / 2, with in[-1] per the fill mode.
    float[] row = {2, 4, 8, 16};
    assertArrayEquals(new float[] {2, 3, 6, 12}, resampled(row, 1, 4, shift(0, 0.5f), Fill.REFLECT, 0, true));
    assertArrayEquals(new float[] {9, 3, 6, 12}, resampled(row, 1, 4, shift(0, 0.5f), Fill.WRAP, 0, true));
    assertArrayEquals(new float[] {51, 3, 6, 12}, resampled(row, 1, 4, shift(0, 0.5f), Fill.CONSTANT, 100, true));
    // Nearest: rint(x - 0.5) rounds the ties to even: -0.5 -> -0 = 0, 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
    assertArrayEquals(new float[] {2, 2, 8, 8}, resampled(row, 1, 4, shift(0, 0.5f), Fill.REFLECT, 0, false));
  }

  @Test
  void zoomAboutTheCentre() {
    float[] row = {0, 1, 2, 3, 4};
    float[] drawn = new float[4];
    // Factor 1: zoom 2 (out); x samples 2x - 2 = -2, 0, 2, 4, 6; reflect(-2) = 1, reflect(6) = 3.
    Augmentation.drawZoom(1, 1, 5, 0, 0, 1, 1, false, new long[Noise.STATE_LENGTH], 0, drawn);
    assertArrayEquals(new float[] {1, 0, 2, -2}, drawn);
    assertArrayEquals(new float[] {1, 0, 2, 4, 3}, resampled(row, 1, 5, drawn, Fill.REFLECT, 0, true));
    assertArrayEquals(new float[] {9, 0, 2, 4, 9}, resampled(row, 1, 5, drawn, Fill.CONSTANT, 9, true));
    // Factor -0.5: zoom 0.5 (in); x samples x / 2 + 1 = 1, 1.5, 2, 2.5, 3.
    Augmentation.drawZoom(1, 1, 5, 0, 0, -0.5, -0.5, false, new long[Noise.STATE_LENGTH], 0, drawn);
    assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f, 3}, resampled(row, 1, 5, drawn, Fill.REFLECT, 0, true));
    assertArrayEquals(new float[] {1, 2, 2, 2, 3}, resampled(row, 1, 5, drawn, Fill.REFLECT, 0, false));
  }

  @Test
  void zoomFactorZeroAndNoShiftAreTheIdentityBitForBit() {
    float[] x = randomImages(3, 5, 7, 2, 1);
    float[] drawn = new float[3 * Augmentation.AFFINE_VALUES];
    Augmentation.drawZoom(3, 5, 7, 0, 0, 0, 0, false, new long[] {0, 42, 0}, 4, drawn);
    for (Fill fill : Fill.values()) {
      for (boolean bilinear : new boolean[] {true, false}) {
        float[] y = new float[x.length];
        Augmentation.resample(3, 5, 7, 2, drawn, fill, 3f, bilinear, x, y);
        assertArrayEquals(x, y, fill + " " + bilinear);
      }
    }
    Augmentation.drawTranslation(3, 5, 7, 0, 0, 0, 0, new long[] {0, 42, 0}, 4, drawn);
    float[] y = new float[x.length];
    Augmentation.resample(3, 5, 7, 2, drawn, Fill.REFLECT, 0, true, x, y);
    assertArrayEquals(x, y);
  }

  @Test
  void horizontalFlipReversesEachRowAndFlippingTwiceIsTheIdentity() {
    // Two channels, so a flip moves pixels, not values within a pixel.
    float[] x = {1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6};
    float[] drawn = {1, 0};
    float[] y = new float[x.length];
    Augmentation.flipBackward(1, 2, 3, 2, drawn, x, y); // the flip itself, with given decisions
    assertArrayEquals(new float[] {3, -3, 2, -2, 1, -1, 6, -6, 5, -5, 4, -4}, y);
    drawn = new float[] {0, 1};
    Augmentation.flipBackward(1, 2, 3, 2, drawn, x, y);
    assertArrayEquals(new float[] {4, -4, 5, -5, 6, -6, 1, -1, 2, -2, 3, -3}, y);

    float[] images = randomImages(16, 4, 5, 3, 2);
    float[] flips = new float[16 * Augmentation.FLIP_VALUES];
    float[] once = new float[images.length];
    Augmentation.flip(16, 4, 5, 3, true, true, new long[] {0, 9, 0}, 1, images, once, flips);
    float[] twice = new float[images.length];
    Augmentation.flipBackward(16, 4, 5, 3, flips, once, twice);
    assertArrayEquals(images, twice);
    assertTrue(!Arrays.equals(images, once), "some of 16 samples flip");
  }

  @Test
  void flipDrawsHalfTheSamplesPerAxisAndOnlyTheAxesOfTheMode() {
    int n = 20_000;
    float[] flips = new float[n * 2];
    float[] x = new float[n];
    Augmentation.flip(n, 1, 1, 1, true, true, new long[] {0, 5, 0}, 0, x, new float[n], flips);
    int horizontal = 0;
    int vertical = 0;
    int both = 0;
    for (int s = 0; s < n; s++) {
      horizontal += (int) flips[2 * s];
      vertical += (int) flips[2 * s + 1];
      both += (int) (flips[2 * s] * flips[2 * s + 1]);
    }
    // Binomial(20000, 1/2): standard deviation ~71; 5 sigma. Independent axes: a quarter flip both.
    assertEquals(n / 2.0, horizontal, 355);
    assertEquals(n / 2.0, vertical, 355);
    assertEquals(n / 4.0, both, 310);
    float[] horizontalOnly = new float[n * 2];
    Augmentation.flip(n, 1, 1, 1, true, false, new long[] {0, 5, 0}, 0, x, new float[n], horizontalOnly);
    for (int s = 0; s < n; s++) {
      assertEquals(flips[2 * s], horizontalOnly[2 * s], "the horizontal decision does not depend on the mode");
      assertEquals(0f, horizontalOnly[2 * s + 1]);
    }
  }

  @Test
  void translationDrawsAreUniformInTheRangeTimesTheSize() {
    int n = 20_000;
    float[] drawn = new float[n * 4];
    Augmentation.drawTranslation(n, 10, 20, -0.2, 0.2, 0.1, 0.3, new long[] {0, 77, 0}, 2, drawn);
    double sumY = 0;
    double sumX = 0;
    for (int s = 0; s < n; s++) {
      float dy = -drawn[4 * s + 1];
      float dx = -drawn[4 * s + 3];
      assertEquals(1f, drawn[4 * s]);
      assertEquals(1f, drawn[4 * s + 2]);
      assertTrue(dy >= -2f && dy <= 2f, "dy " + dy);
      assertTrue(dx >= 2f && dx <= 6f, "dx " + dx);
      sumY += dy;
      sumX += dx;
    }
    // Uniform on [-2, 2]: standard deviation 1.15, of the mean 0.008; 5 sigma.
    assertEquals(0, sumY / n, 0.041);
    assertEquals(4, sumX / n, 0.041);
  }

  @Test
  void zoomWithoutAWidthFactorKeepsTheAspectRatio() {
    float[] drawn = new float[50 * 4];
    Augmentation.drawZoom(50, 6, 9, -0.3, 0.2, 0, 0, true, new long[] {0, 3, 0}, 0, drawn);
    for (int s = 0; s < 50; s++) {
      float zoom = drawn[4 * s];
      assertTrue(zoom >= 0.7f && zoom <= 1.2f, "zoom " + zoom);
      assertEquals(zoom, drawn[4 * s + 2]);
      assertEquals((float) (2.5 * (1 - zoom)), drawn[4 * s + 1]);
      assertEquals((float) (4.0 * (1 - zoom)), drawn[4 * s + 3]);
    }
  }

  @Test
  void aSamplesTransformDependsOnItsPositionInTheStreamNotOnTheBatches() {
    long[] noise = new long[Noise.STATE_LENGTH];
    Noise.seed(noise, 2026);
    float[] whole = new float[64 * 4];
    Augmentation.drawZoom(64, 8, 8, -0.4, 0.4, -0.1, 0.3, false, noise, 3, whole);
    float[] pieces = new float[64 * 4];
    float[] piece = new float[8 * 4];
    for (int b = 0; b < 8; b++) {
      noise[Noise.SAMPLES_SEEN] = 8L * b;
      noise[Noise.STREAM] = 12345 * b; // the dropout stream has moved on: no effect
      Augmentation.drawZoom(8, 8, 8, -0.4, 0.4, -0.1, 0.3, false, noise, 3, piece);
      System.arraycopy(piece, 0, pieces, b * 32, 32);
    }
    assertArrayEquals(whole, pieces);
    // Another layer, another seed: other transforms.
    Noise.seed(noise, 2026);
    float[] otherLayer = new float[64 * 4];
    Augmentation.drawZoom(64, 8, 8, -0.4, 0.4, -0.1, 0.3, false, noise, 4, otherLayer);
    assertTrue(!Arrays.equals(whole, otherLayer));
    Noise.seed(noise, 2027);
    float[] otherSeed = new float[64 * 4];
    Augmentation.drawZoom(64, 8, 8, -0.4, 0.4, -0.1, 0.3, false, noise, 3, otherSeed);
    assertTrue(!Arrays.equals(whole, otherSeed));
  }

  /**
   * The backward passes are the transposes of the forward maps: {@code <A x, g> = <x, Aᵀ g>} for
   * random x and g (the fill value 0, so that the map is linear).
   */
  @Test
  void backwardPassesAreTheExactTransposes() {
    int n = 5;
    int h = 6;
    int w = 7;
    int c = 3;
    float[] x = randomImages(n, h, w, c, 3);
    float[] g = randomImages(n, h, w, c, 4);
    float[] drawn = new float[n * 4];
    long[] noise = {0, 11, 0};
    for (int trial = 0; trial < 2; trial++) {
      if (trial == 0) {
        Augmentation.drawTranslation(n, h, w, -0.5, 0.5, -0.6, 0.6, noise, 0, drawn);
      } else {
        Augmentation.drawZoom(n, h, w, -0.6, 0.9, -0.9, 0.6, false, noise, 0, drawn);
      }
      for (Fill fill : Fill.values()) {
        for (boolean bilinear : new boolean[] {true, false}) {
          float[] ax = new float[x.length];
          Augmentation.resample(n, h, w, c, drawn, fill, 0, bilinear, x, ax);
          float[] atg = new float[x.length];
          Arrays.fill(atg, Float.NaN); // overwritten, not added to
          Augmentation.resampleBackward(n, h, w, c, drawn, fill, bilinear, g, atg);
          assertEquals(dot(ax, g), dot(x, atg), 1e-4 * norm(ax) * norm(g),
              (trial == 0 ? "translation " : "zoom ") + fill + (bilinear ? " bilinear" : " nearest"));
        }
      }
    }
    float[] flips = new float[n * 2];
    float[] fx = new float[x.length];
    Augmentation.flip(n, h, w, c, true, true, noise, 0, x, fx, flips);
    float[] ftg = new float[x.length];
    Augmentation.flipBackward(n, h, w, c, flips, g, ftg);
    assertEquals(dot(fx, g), dot(x, ftg), 1e-9 * norm(fx) * norm(g));
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  private static double norm(float[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static float[] randomImages(int n, int h, int w, int c, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[n * h * w * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    return x;
  }
}
