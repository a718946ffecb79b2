package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.Model;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Targets that do not fit the loss are rejected before anything is computed, with the rule in the
 * message and a hint where the shape suggests the other cross-entropy. Each case goes through
 * {@code fit} ("training target"), {@code trainOnBatch} ("batch target") and {@code evaluate}
 * ("evaluation target"); the parameters and the optimizer's step count stay as they were.
 */
class TargetChecksTest {
  @Network(input = 2, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface Categorical {
    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = 2, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface Sparse {
    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = 2, loss = Loss.BINARY_CROSSENTROPY)
  @Sgd(learningRate = 0.1)
  interface Binary {
    @Dense(units = 2, activation = SIGMOID)
    Layer output();
  }

  private static final Supplier<Model> CATEGORICAL = () -> new TargetChecksTest_CategoricalModel(1);
  private static final Supplier<Model> SPARSE = () -> new TargetChecksTest_SparseModel(1);
  private static final Supplier<Model> BINARY = () -> new TargetChecksTest_BinaryModel(1);
  private static final String CCE = "categorical_crossentropy expects one-hot or probability rows";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(CATEGORICAL, new float[] {0, 2, 0},
            "target 1 sums to 2.0; " + CCE + " (values >= 0, summing to 1 within 1e-3); for class indices use"
                + " SPARSE_CATEGORICAL_CROSSENTROPY"),
        Arguments.of(CATEGORICAL, new float[] {0.5f, 0.6f, 0},
            "target 1 sums to 1.1; " + CCE + " (values >= 0, summing to 1 within 1e-3)"),
        Arguments.of(CATEGORICAL, new float[] {0, 0, 0},
            "target 1 sums to 0.0; " + CCE + " (values >= 0, summing to 1 within 1e-3)"),
        Arguments.of(CATEGORICAL, new float[] {1.5f, -0.5f, 0},
            "target 1 has -0.5 at position 1; " + CCE + " (values >= 0, summing to 1)"),
        Arguments.of(CATEGORICAL, new float[] {2},
            "target 1 has 1 values, expected 3; categorical_crossentropy takes one-hot or probability rows of 3"
                + " values: for class indices use SPARSE_CATEGORICAL_CROSSENTROPY"),
        Arguments.of(SPARSE, new float[] {0, 1, 0},
            "target 1 has 3 values, expected 1 (a class index); sparse_categorical_crossentropy takes class"
                + " indices: for one-hot rows use CATEGORICAL_CROSSENTROPY"),
        Arguments.of(SPARSE, new float[] {3}, "target 1 is 3.0, expected a class index in [0, 3)"),
        Arguments.of(SPARSE, new float[] {-1}, "target 1 is -1.0, expected a class index in [0, 3)"),
        Arguments.of(SPARSE, new float[] {1.5f}, "target 1 is 1.5, expected a class index in [0, 3)"),
        Arguments.of(BINARY, new float[] {0, 1.5f},
            "target 1 has 1.5 at position 1; binary_crossentropy expects targets in [0, 1]"),
        Arguments.of(BINARY, new float[] {-0.25f, 0},
            "target 1 has -0.25 at position 0; binary_crossentropy expects targets in [0, 1]"),
        Arguments.of(BINARY, new float[] {2, 0},
            "target 1 has 2.0 at position 0; binary_crossentropy expects targets in [0, 1] (class indices need"
                + " SPARSE_CATEGORICAL_CROSSENTROPY and a softmax output)"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aTargetThatDoesNotFitTheLossIsRejectedAndNothingChanges(Supplier<Model> create, float[] badRow, String message) {
    Model model = create.get();
    int outputs = model.core().info().outputSize();
    int targetSize = model.core().info().targetSize();
    float[][] x = {{0.5f, -1}, {1, 0.25f}};
    float[][] y = {new float[targetSize], badRow};
    if (targetSize > 1) {
      y[0][0] = 1; // a valid first row: one-hot, or binary 1 and 0
    }
    float[] before = model.core().parameters();
    IllegalArgumentException fit = assertThrows(IllegalArgumentException.class,
        () -> model.fit(x, y, FitOptions.epochs(1).withBatchSize(2).withVerbose(false)));
    assertEquals("training " + message, fit.getMessage());
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> model.trainOnBatch(x, y));
    assertEquals("batch " + message, batch.getMessage());
    IllegalArgumentException evaluation = assertThrows(IllegalArgumentException.class, () -> model.evaluate(x, y));
    assertEquals("evaluation " + message, evaluation.getMessage());
    assertArrayEquals(before, model.core().parameters());
    assertEquals(0, model.optimizer().iterations());
    assertEquals(outputs, model.predict(x[0]).length);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void theValidRowsOfEachLossAreAccepted(Supplier<Model> create, float[] ignored, String ignoredMessage) {
    Model model = create.get();
    float[][] x = {{0.5f, -1}, {1, 0.25f}};
    float[][] y;
    switch (model.core().info().loss()) {
      case "categorical_crossentropy":
        y = new float[][] {{0.2f, 0.3f, 0.5004f}, {0, 0, 1}}; // within 1e-3 of 1
        break;
      case "sparse_categorical_crossentropy":
        y = new float[][] {{0}, {2}};
        break;
      default:
        y = new float[][] {{0, 1}, {0.25f, 0.75f}};
    }
    model.trainOnBatch(x, y);
    assertEquals(1, model.optimizer().iterations());
  }
}
