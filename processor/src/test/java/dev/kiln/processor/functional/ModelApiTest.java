package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training API and the exceptions bad input gets. */
class ModelApiTest {
  private static final float[][] X = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0.5f, 0.5f}};
  private static final float[][] Y = {{0}, {1}, {1}, {0}, {0.5f}};

  @Test
  void sameSeedGivesSameWeightsAndTraining() {
    FixtureNetworks_NetXorModel a = new FixtureNetworks_NetXorModel(11);
    FixtureNetworks_NetXorModel b = new FixtureNetworks_NetXorModel(11);
    assertArrayEquals(a.core().parameters(), b.core().parameters());
    assertNotEquals(a.core().parameters()[0], new FixtureNetworks_NetXorModel(12).core().parameters()[0]);
    FitOptions options = FitOptions.epochs(5).withBatchSize(2).withShuffle(3).withVerbose(false);
    assertArrayEquals(a.fit(X, Y, options).get("loss"), b.fit(X, Y, options).get("loss"));
    assertArrayEquals(a.core().parameters(), b.core().parameters());
  }

  @Test
  void historyHasLossMetricsAndValidationPerEpoch() {
    FixtureNetworks_NetIrisModel model = new FixtureNetworks_NetIrisModel(1);
    float[][] x = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
    float[][] y = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    History history = model.fit(x, y, FitOptions.epochs(30).withBatchSize(3).withValidation(x, y).withVerbose(false));
    assertEquals(30, history.epochs());
    assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy", "seconds"), List.copyOf(history.names()));
    assertTrue(history.last("loss") < history.get("loss")[0], "loss decreases");
    Evaluation evaluation = model.evaluate(x, y);
    assertEquals(history.last("val_loss"), evaluation.loss(), 1e-12);
    assertEquals(history.last("val_accuracy"), evaluation.accuracy(), 1e-12);
  }

  @Test
  void progressLineEveryEpochUnlessSilenced() {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(1);
    String printed = captureStdout(() -> model.fit(X, Y, 3, 2));
    String[] lines = printed.strip().split("\n");
    assertEquals(3, lines.length, printed);
    assertTrue(lines[2].startsWith("Epoch 3/3 - 3 steps - loss: "), lines[2]);
    assertTrue(lines[2].endsWith("/step"), lines[2]);
    assertEquals("", captureStdout(() -> model.fit(X, Y, FitOptions.epochs(3).withVerbose(false))));
  }

  @Test
  void predictForOneSampleEqualsBatchPrediction() {
    FixtureNetworks_NetDeepModel model = new FixtureNetworks_NetDeepModel(4);
    float[][] x = {{1, 2, 3, 4, 5}, {-1, 0.5f, 0, 2, -3}};
    float[][] batch = model.predict(x);
    for (int i = 0; i < x.length; i++) {
      assertArrayEquals(batch[i], model.predict(x[i]), 1e-6f);
    }
  }

  @Test
  void learningRateCanChangeBetweenSteps() {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(1);
    model.setLearningRate(0f);
    float[] before = model.core().parameters();
    model.trainOnBatch(X, Y);
    assertArrayEquals(before, model.core().parameters());
    model.setLearningRate(0.01f);
    model.trainOnBatch(X, Y);
    assertNotEquals(before[0], model.core().parameters()[0]);
  }

  @Test
  void wrongInputWidthIsAClearError() {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(new float[3]));
    assertEquals("input 0 has 3 values, the network takes 2", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> model.fit(new float[][] {{1, 2}, {1}}, new float[][] {{0}, {1}}, 1, 1));
    assertTrue(e.getMessage().contains("training input 1 has 1 values, the network takes 2"), e.getMessage());
  }

  @Test
  void mismatchedTargetsAreClearErrors() {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(1);
    assertThrows(IllegalArgumentException.class, () -> model.fit(X, new float[][] {{1}}, 1, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.fit(new float[][] {{1, 2}}, new float[][] {{1, 2}}, 1, 1));
    assertTrue(e.getMessage().contains("target 0 has 2 values, expected 1"), e.getMessage());
    FixtureNetworks_NetSparseModel sparse = new FixtureNetworks_NetSparseModel(1);
    e = assertThrows(IllegalArgumentException.class,
        () -> sparse.fit(new float[][] {{1, 2, 3}}, new float[][] {{4}}, 1, 1));
    assertTrue(e.getMessage().contains("expected a class index in [0, 4)"), e.getMessage());
  }

  @Test
  void batchLargerThanTheMaximumIsAClearError() {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(1, 4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.fit(X, Y, 1, 5));
    assertTrue(e.getMessage().contains("batch size 5 is larger than this model's maximum batch 4"), e.getMessage());
    // Prediction and evaluation split larger inputs instead.
    assertEquals(X.length, model.predict(X).length);
    model.evaluate(X, Y);
  }

  @Test
  void nanInputsAreRejectedWhenChecksAreOn() {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(1);
    float[] bad = {Float.NaN, 1};
    model.predict(bad); // checks are off by default: no exception
    model.setInputChecks(true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(bad));
    assertTrue(e.getMessage().contains("NaN at position 0"), e.getMessage());
  }

  @Test
  void layerHandlesReadAndWriteWeights() {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(1);
    model.hidden().setKernel(new float[][] {{1, 2}, {3, 4}});
    model.hidden().setBias(new float[] {0.5f, -0.5f});
    assertArrayEquals(new float[] {1, 2}, model.hidden().kernel()[0]);
    assertArrayEquals(new float[] {0.5f, -0.5f}, model.hidden().bias());
    assertThrows(IllegalArgumentException.class, () -> model.hidden().setKernel(new float[][] {{1, 2}}));
    assertEquals("Dense", model.hidden().type());
    assertEquals(dev.kiln.runtime.Shape.of(2), model.hidden().outputShape());
  }

  private static String captureStdout(Runnable action) {
    PrintStream original = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setOut(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
