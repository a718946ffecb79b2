package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.CrossValidation;
import dev.kiln.runtime.Ensemble;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.GroupEvaluation;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.Metric;
import dev.kiln.runtime.Metrics;
import dev.kiln.runtime.data.Splits;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Metrics in evaluate, per-group evaluation, cross-validation and ensembles on a generated network. */
class EvaluationToolsTest {
  @Network(input = 3, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.02)
  interface Classifier {
    @Dense(units = 12, activation = RELU)
    Layer hidden();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  static final float[][] X = new float[90][3];
  static final float[][] Y = new float[90][1];
  static final String[] GROUPS = new String[90];

  static {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 90; i++) {
      for (int j = 0; j < 3; j++) {
        X[i][j] = (float) random.nextDouble(-1, 1);
      }
      Y[i][0] = X[i][0] > 0.3 ? 0 : X[i][1] > 0 ? 1 : 2;
      GROUPS[i] = X[i][2] > 0 ? "upper" : "lower";
    }
  }

  private static final FitOptions FIT = FitOptions.epochs(5).withBatchSize(16).withShuffle(1).withVerbose(false);
  private static final Metrics ALL = Metrics.of(Metric.ACCURACY, Metric.PRECISION, Metric.RECALL, Metric.F1,
      Metric.topK(2), Metric.AUC, Metric.CONFUSION);

  private static EvaluationToolsTest_ClassifierModel trained(int seed) {
    EvaluationToolsTest_ClassifierModel model = new EvaluationToolsTest_ClassifierModel(seed);
    model.fit(X, Y, FIT);
    return model;
  }

  @Test
  void evaluateWithMetricsComputesThemOnTheModelsPredictions() {
    EvaluationToolsTest_ClassifierModel model = trained(1);
    Evaluation plain = model.evaluate(X, Y);
    Evaluation full = model.evaluate(X, Y, ALL);
    assertEquals(plain.loss(), full.loss());
    assertEquals(plain.accuracy(), full.accuracy());
    assertEquals(plain.accuracy(), full.metric("accuracy"), 1e-15);
    Metrics.Result expected = ALL.compute(model.predict(X), Y, Metrics.Targets.CLASS_INDEX);
    assertEquals(expected.values(), full.metrics());
    assertArrayEquals(expected.confusion(), full.confusion());
    int total = 0;
    for (int[] row : full.confusion()) {
      for (int v : row) {
        total += v;
      }
    }
    assertEquals(90, total);
    assertTrue(full.confusionTable().startsWith("true\\pred"), full.confusionTable());
  }

  @Test
  void perGroupEvaluationEqualsEvaluatingEachGroupAlone() {
    EvaluationToolsTest_ClassifierModel model = trained(2);
    GroupEvaluation byGroup = model.core().evaluateByGroup(X, Y, GROUPS, ALL);
    assertEquals(List.of("lower", "upper"), List.copyOf(byGroup.groups().keySet()));
    double[] f1 = new double[2];
    int g = 0;
    for (String group : List.of("lower", "upper")) {
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < 90; i++) {
        if (GROUPS[i].equals(group)) {
          rows.add(i);
        }
      }
      int[] indices = rows.stream().mapToInt(Integer::intValue).toArray();
      Evaluation alone = model.evaluate(Splits.select(X, indices), Splits.select(Y, indices), ALL);
      assertEquals(alone.metrics(), byGroup.groups().get(group).metrics());
      assertEquals(alone.loss(), byGroup.groups().get(group).loss());
      assertEquals(indices.length, byGroup.sizes().get(group));
      f1[g++] = alone.metric("f1");
    }
    assertEquals(Math.abs(f1[0] - f1[1]), byGroup.gap("f1"), 1e-15);
    String table = byGroup.table("accuracy", "f1");
    assertTrue(table.startsWith("group samples   accuracy         f1\n"), table);
    assertTrue(table.contains(String.format(java.util.Locale.ROOT, "gap           %10.4f %10.4f",
        byGroup.gap("accuracy"), byGroup.gap("f1"))), table);
    assertThrows(IllegalArgumentException.class,
        () -> model.core().evaluateByGroup(X, Y, new String[3], ALL));
  }

  @Test
  void crossValidationFitsAFreshModelPerFold() {
    int[] seeds = {0};
    CrossValidation.Result result = CrossValidation.stratified(3, 9,
        () -> new EvaluationToolsTest_ClassifierModel(10 + seeds[0]++), X, Y, FIT, ALL);
    assertEquals(3, result.folds().size());
    int[] labels = new int[90];
    for (int i = 0; i < 90; i++) {
      labels[i] = (int) Y[i][0];
    }
    List<Splits.Fold> folds = Splits.stratifiedKFold(labels, 3, 9);
    double[] accuracies = new double[3];
    for (int f = 0; f < 3; f++) {
      EvaluationToolsTest_ClassifierModel model = new EvaluationToolsTest_ClassifierModel(10 + f);
      model.fit(Splits.select(X, folds.get(f).train()), Splits.select(Y, folds.get(f).train()), FIT);
      Evaluation byHand = model.evaluate(Splits.select(X, folds.get(f).validation()),
          Splits.select(Y, folds.get(f).validation()), ALL);
      assertEquals(byHand.metrics(), result.folds().get(f).metrics(), "fold " + f);
      accuracies[f] = byHand.accuracy();
    }
    double mean = (accuracies[0] + accuracies[1] + accuracies[2]) / 3;
    assertEquals(mean, result.mean("accuracy"), 1e-15);
    double variance = 0;
    for (double a : accuracies) {
      variance += (a - mean) * (a - mean) / 3;
    }
    assertEquals(Math.sqrt(variance), result.std("accuracy"), 1e-15);
    assertTrue(result.table("accuracy", "f1").contains("mean "), result.table("accuracy"));

    CrossValidation.Result plain = CrossValidation.run(3, 9, () -> new EvaluationToolsTest_ClassifierModel(1), X, Y,
        FIT, Metrics.of(Metric.F1));
    assertEquals(3, plain.folds().size());
  }

  @Test
  void validationMetricsAreRecordedAndMonitored() {
    EvaluationToolsTest_ClassifierModel model = new EvaluationToolsTest_ClassifierModel(4);
    float[][] vx = java.util.Arrays.copyOfRange(X, 60, 90);
    float[][] vy = java.util.Arrays.copyOfRange(Y, 60, 90);
    dev.kiln.runtime.training.EarlyStopping stopping =
        dev.kiln.runtime.training.EarlyStopping.monitoring("val_f1").withPatience(50);
    dev.kiln.runtime.History history = model.fit(java.util.Arrays.copyOfRange(X, 0, 60),
        java.util.Arrays.copyOfRange(Y, 0, 60), FIT.withValidation(vx, vy)
            .withValidationMetrics(Metrics.of(Metric.F1, Metric.AUC)).withCallbacks(stopping));
    assertTrue(history.names().containsAll(List.of("val_f1", "val_auc", "val_f1[2]")), history.names().toString());
    assertEquals(model.evaluate(vx, vy, Metrics.of(Metric.F1)).metric("f1"), history.last("val_f1"), 1e-15);
    assertEquals(dev.kiln.runtime.training.MonitorMode.MAX, stopping.mode(), "higher F1 is better");
  }

  @Test
  void ensembleAveragesProbabilities() {
    List<EvaluationToolsTest_ClassifierModel> models = List.of(trained(1), trained(2), trained(3));
    Ensemble ensemble = Ensemble.of(models);
    float[][] averaged = ensemble.predict(X);
    float[][][] each = {models.get(0).predict(X), models.get(1).predict(X), models.get(2).predict(X)};
    int correct = 0;
    for (int i = 0; i < 90; i++) {
      int best = 0;
      for (int j = 0; j < 3; j++) {
        double mean = ((double) each[0][i][j] + each[1][i][j] + each[2][i][j]) / 3;
        assertEquals((float) mean, averaged[i][j]);
        if (averaged[i][j] > averaged[i][best]) {
          best = j;
        }
      }
      correct += best == (int) Y[i][0] ? 1 : 0;
    }
    assertEquals(correct / 90.0, ensemble.evaluate(X, Y, Metrics.of(Metric.ACCURACY)).values().get("accuracy"));
  }
}
