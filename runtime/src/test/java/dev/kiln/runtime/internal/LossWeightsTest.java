package dev.kiln.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss's weighted form against its unweighted form row by row: the weighted loss is the sum
 * of weight times the row's own loss divided by the rows, the gradient of a row its own gradient
 * times its weight over the rows; weights of 1 give the unweighted bits and weights of 0 nothing.
 */
class LossWeightsTest {
  private static final int ROWS = 5;
  private static final int WIDTH = 4;
  private static final float[] WEIGHTS = {0.5f, 2f, 0f, 1f, 1.25f};

  /** One loss form over rows of a prediction (logits or probabilities), probabilities and targets. */
  @FunctionalInterface
  interface LossCall {
    double call(int n, float[] prediction, float[] probabilities, float[] targets, float[] weights, float[] grad);
  }

  /** Targets per row: 1 for class indices. */
  record Form(String name, LossCall loss, boolean logits, boolean indices) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> forms() {
    return Stream.of(
        form("mse", (n, a, p, y, w, g) -> Losses.meanSquaredError(n, WIDTH, a, y, w, g), false, false),
        form("mae", (n, a, p, y, w, g) -> Losses.meanAbsoluteError(n, WIDTH, a, y, w, g), false, false),
        form("bce", (n, a, p, y, w, g) -> Losses.binaryCrossEntropy(n, WIDTH, a, y, w, g), false, false),
        form("bce smoothed", (n, a, p, y, w, g) -> Losses.binaryCrossEntropy(n, WIDTH, a, y, 0.1f, w, g), false, false),
        form("cce", (n, a, p, y, w, g) -> Losses.categoricalCrossEntropy(n, WIDTH, p, y, w, g), false, false),
        form("sparse cce", (n, a, p, y, w, g) -> Losses.sparseCategoricalCrossEntropy(n, WIDTH, p, y, w, g), false,
            true),
        form("softmax cce T=2", (n, a, p, y, w, g) -> Losses.softmaxCrossEntropy(n, WIDTH, 0.5f, a, p, y, w, g), true,
            false),
        form("softmax cce smoothed",
            (n, a, p, y, w, g) -> Losses.softmaxCrossEntropy(n, WIDTH, 1f, a, p, y, 0.1f, w, g), true, false),
        form("sparse softmax cce",
            (n, a, p, y, w, g) -> Losses.sparseSoftmaxCrossEntropy(n, WIDTH, 1f, a, p, y, w, g), true, true),
        form("sparse softmax cce smoothed",
            (n, a, p, y, w, g) -> Losses.sparseSoftmaxCrossEntropy(n, WIDTH, 1f, a, p, y, 0.2f, w, g), true, true),
        form("sigmoid bce", (n, a, p, y, w, g) -> Losses.sigmoidBinaryCrossEntropy(n, WIDTH, a, p, y, w, g), true,
            false),
        form("sigmoid bce smoothed",
            (n, a, p, y, w, g) -> Losses.sigmoidBinaryCrossEntropy(n, WIDTH, a, p, y, 0.1f, w, g), true, false),
        form("softmax cce from logits",
            (n, a, p, y, w, g) -> Losses.softmaxCrossEntropyFromLogits(n, WIDTH, a, y, w, g), true, false),
        form("softmax cce from logits smoothed",
            (n, a, p, y, w, g) -> Losses.softmaxCrossEntropyFromLogits(n, WIDTH, a, y, 0.1f, w, g), true, false),
        form("sparse softmax cce from logits",
            (n, a, p, y, w, g) -> Losses.sparseSoftmaxCrossEntropyFromLogits(n, WIDTH, a, y, w, g), true, true),
        form("sparse softmax cce from logits smoothed",
            (n, a, p, y, w, g) -> Losses.sparseSoftmaxCrossEntropyFromLogits(n, WIDTH, a, y, 0.1f, w, g), true, true),
        form("sigmoid bce from logits",
            (n, a, p, y, w, g) -> Losses.sigmoidBinaryCrossEntropyFromLogits(n, WIDTH, a, y, w, g), true, false),
        form("sigmoid bce from logits smoothed",
            (n, a, p, y, w, g) -> Losses.sigmoidBinaryCrossEntropyFromLogits(n, WIDTH, a, y, 0.1f, w, g), true, false));
  }

  private static Arguments form(String name, LossCall loss, boolean logits, boolean indices) {
    return Arguments.of(new Form(name, loss, logits, indices));
  }

  /** Prediction, probabilities (softmax of logits, or the prediction itself) and targets. */
  private static float[][] batch(Form form) {
    SplittableRandom random = new SplittableRandom(form.name().hashCode());
    float[] prediction = new float[ROWS * WIDTH];
    float[] probabilities = new float[ROWS * WIDTH];
    float[] targets = new float[ROWS * (form.indices() ? 1 : WIDTH)];
    for (int r = 0; r < ROWS; r++) {
      double sum = 0;
      for (int c = 0; c < WIDTH; c++) {
        int i = r * WIDTH + c;
        prediction[i] = form.logits() ? (float) (3 * random.nextGaussian()) : (float) (0.05 + 0.9 * random.nextDouble());
        sum += form.logits() ? Math.exp(prediction[i]) : prediction[i];
      }
      for (int c = 0; c < WIDTH; c++) {
        int i = r * WIDTH + c;
        probabilities[i] = (float) ((form.logits() ? Math.exp(prediction[i]) : prediction[i]) / sum);
      }
      int label = random.nextInt(WIDTH);
      if (form.indices()) {
        targets[r] = label;
      } else {
        for (int c = 0; c < WIDTH; c++) {
          targets[r * WIDTH + c] = c == label ? 1f : form.name().startsWith("m") ? (float) random.nextGaussian() : 0f;
        }
      }
    }
    return new float[][] {prediction, probabilities, targets};
  }

  private static float[] row(float[] values, int r, int width) {
    return Arrays.copyOfRange(values, r * width, (r + 1) * width);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forms")
  void weightedLossIsTheWeightedSumOfTheRowsOwnLossesOverTheRows(Form form) {
    float[][] batch = batch(form);
    int targetWidth = form.indices() ? 1 : WIDTH;
    double expectedLoss = 0;
    float[] expectedGrad = new float[ROWS * WIDTH];
    for (int r = 0; r < ROWS; r++) {
      float[] rowGrad = new float[WIDTH];
      double rowLoss = form.loss().call(1, row(batch[0], r, WIDTH), row(batch[1], r, WIDTH),
          row(batch[2], r, targetWidth), null, rowGrad);
      expectedLoss += WEIGHTS[r] * rowLoss / ROWS;
      for (int c = 0; c < WIDTH; c++) {
        expectedGrad[r * WIDTH + c] = (float) ((double) WEIGHTS[r] * rowGrad[c] / ROWS);
      }
    }
    float[] grad = new float[ROWS * WIDTH];
    double loss = form.loss().call(ROWS, batch[0], batch[1], batch[2], WEIGHTS, grad);
    assertEquals(expectedLoss, loss, 1e-12 + 1e-6 * Math.abs(expectedLoss), form + " loss");
    for (int i = 0; i < grad.length; i++) {
      assertEquals(expectedGrad[i], grad[i], 1e-6 * Math.abs(expectedGrad[i]) + 1e-9, form + " grad " + i);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forms")
  void weightsOfOneGiveTheUnweightedBits(Form form) {
    float[][] batch = batch(form);
    float[] ones = new float[ROWS];
    Arrays.fill(ones, 1f);
    float[] unweightedGrad = new float[ROWS * WIDTH];
    float[] weightedGrad = new float[ROWS * WIDTH];
    double unweighted = form.loss().call(ROWS, batch[0], batch[1], batch[2], null, unweightedGrad);
    double weighted = form.loss().call(ROWS, batch[0], batch[1], batch[2], ones, weightedGrad);
    assertEquals(unweighted, weighted);
    assertArrayEquals(unweightedGrad, weightedGrad);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forms")
  void weightsOfZeroGiveNoLossAndNoGradient(Form form) {
    float[][] batch = batch(form);
    float[] grad = new float[ROWS * WIDTH];
    Arrays.fill(grad, Float.NaN); // every value must be written
    assertEquals(0.0, form.loss().call(ROWS, batch[0], batch[1], batch[2], new float[ROWS], grad), 0.0);
    for (float g : grad) {
      assertEquals(0f, g, 0f);
    }
  }
}
