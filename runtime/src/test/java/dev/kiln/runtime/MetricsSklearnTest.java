package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Metrics} against scikit-learn 1.2.1 on committed fixtures
 * ({@code src/test/python/make_metric_fixtures.py}): precision_recall_fscore_support (per class and
 * macro), accuracy_score, top_k_accuracy_score, roc_auc_score (binary with ties, one-vs-rest macro),
 * confusion_matrix and mean_absolute_error.
 */
class MetricsSklearnTest {
  private static final double TOLERANCE = 1e-12;

  static Map<String, String[]> fixture() throws IOException {
    Map<String, String[]> out = new HashMap<>();
    try (InputStream in = MetricsSklearnTest.class.getResourceAsStream("/metrics/sklearn_metrics.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] parts = line.trim().split(" ");
          out.put(parts[0], java.util.Arrays.copyOfRange(parts, 1, parts.length));
        }
      }
    }
    return out;
  }

  static double[] doubles(Map<String, String[]> f, String name) {
    return java.util.Arrays.stream(f.get(name)).mapToDouble(Double::parseDouble).toArray();
  }

  static float[][] matrix(Map<String, String[]> f, String name, int columns) {
    String[] values = f.get(name);
    float[][] out = new float[values.length / columns][columns];
    for (int i = 0; i < values.length; i++) {
      out[i / columns][i % columns] = Float.parseFloat(values[i]);
    }
    return out;
  }

  @Test
  void multiClassMetricsEqualScikitLearn() throws IOException {
    Map<String, String[]> f = fixture();
    float[][] p = matrix(f, "multi.p", 5);
    float[][] y = matrix(f, "multi.y", 1); // class indices
    Metrics metrics = Metrics.of(Metric.ACCURACY, Metric.PRECISION, Metric.RECALL, Metric.F1, Metric.TOP_K(2),
        Metric.topK(3), Metric.AUC, Metric.CONFUSION);
    Metrics.Result r = metrics.compute(p, y, Metrics.Targets.CLASS_INDEX);
    double[] macro = doubles(f, "multi.macro");
    assertEquals(macro[0], r.values().get("precision"), TOLERANCE);
    assertEquals(macro[1], r.values().get("recall"), TOLERANCE);
    assertEquals(macro[2], r.values().get("f1"), TOLERANCE);
    for (String m : new String[] {"precision", "recall", "f1"}) {
      double[] perClass = doubles(f, "multi." + m);
      for (int c = 0; c < 5; c++) {
        assertEquals(perClass[c], r.values().get(m + "[" + c + "]"), TOLERANCE, m + "[" + c + "]");
      }
    }
    assertEquals(doubles(f, "multi.accuracy")[0], r.values().get("accuracy"), TOLERANCE);
    assertEquals(doubles(f, "multi.top2")[0], r.values().get("top_2_accuracy"), TOLERANCE);
    assertEquals(doubles(f, "multi.top3")[0], r.values().get("top_3_accuracy"), TOLERANCE);
    assertEquals(doubles(f, "multi.auc")[0], r.values().get("auc"), 1e-12);
    assertConfusion(doubles(f, "multi.confusion"), r.confusion());

    // The same as one-hot targets.
    float[][] oneHot = new float[y.length][5];
    for (int i = 0; i < y.length; i++) {
      oneHot[i][(int) y[i][0]] = 1;
    }
    assertEquals(r.values(), metrics.compute(p, oneHot, Metrics.Targets.ONE_HOT).values());
  }

  @Test
  void binaryMetricsWithTiedScoresEqualScikitLearn() throws IOException {
    Map<String, String[]> f = fixture();
    float[][] p = matrix(f, "binary.p", 1);
    float[][] y = matrix(f, "binary.y", 1);
    Metrics.Result r = Metrics.of(Metric.PRECISION, Metric.RECALL, Metric.F1, Metric.AUC, Metric.CONFUSION)
        .compute(p, y, Metrics.Targets.BINARY);
    for (String m : new String[] {"precision", "recall", "f1"}) {
      double[] perClass = doubles(f, "binary." + m);
      assertEquals(perClass[0], r.values().get(m + "[0]"), TOLERANCE);
      assertEquals(perClass[1], r.values().get(m + "[1]"), TOLERANCE);
      assertEquals((perClass[0] + perClass[1]) / 2, r.values().get(m), TOLERANCE);
    }
    assertEquals(doubles(f, "binary.auc")[0], r.values().get("auc"), 1e-12);
    assertConfusion(doubles(f, "binary.confusion"), r.confusion());
    assertThrows(IllegalArgumentException.class,
        () -> Metrics.of(Metric.topK(1)).compute(p, y, Metrics.Targets.BINARY));
  }

  @Test
  void meanAbsoluteErrorEqualsScikitLearn() throws IOException {
    Map<String, String[]> f = fixture();
    Metrics.Result r = Metrics.of(Metric.MAE)
        .compute(matrix(f, "regression.p", 2), matrix(f, "regression.y", 2), Metrics.Targets.REGRESSION);
    assertEquals(doubles(f, "regression.mae")[0], r.values().get("mae"), 1e-12);
    assertNull(r.confusion());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metrics.of(Metric.F1)
        .compute(matrix(f, "regression.p", 2), matrix(f, "regression.y", 2), Metrics.Targets.REGRESSION));
    assertTrue(e.getMessage().contains("need class targets"), e.getMessage());
  }

  @Test
  void handCountedSmallCase() {
    // Truth 0 0 1 1 2, predicted 0 1 1 1 0: class 0 precision 1/2 recall 1/2; class 1 precision 2/3
    // recall 1; class 2 never predicted: precision 0 (zero_division=0), recall 0.
    float[][] p = {{.6f, .3f, .1f}, {.2f, .7f, .1f}, {.1f, .8f, .1f}, {.3f, .4f, .3f}, {.5f, .1f, .4f}};
    float[][] y = {{0}, {0}, {1}, {1}, {2}};
    Metrics.Result r = Metrics.of(Metric.PRECISION, Metric.RECALL, Metric.F1, Metric.topK(2), Metric.CONFUSION)
        .compute(p, y, Metrics.Targets.CLASS_INDEX);
    assertEquals((0.5 + 2 / 3.0 + 0) / 3, r.values().get("precision"), 1e-15);
    assertEquals((0.5 + 1 + 0) / 3, r.values().get("recall"), 1e-15);
    assertEquals((0.5 + 0.8 + 0) / 3, r.values().get("f1"), 1e-15);
    // Top 2: sample 1 (truth 0: 0.2 is second), sample 4 (truth 2: 0.4 second) hit; all 5 hit.
    assertEquals(1.0, r.values().get("top_2_accuracy"));
    assertEquals("true\\pred    0   1   2\n0            1   1   0\n1            0   2   0\n2            1   0   0\n",
        Metrics.confusionTable(r.confusion()));
    Evaluation evaluation = new Evaluation(0.5, 0.6, r.values(), r.confusion());
    assertEquals(r.values().get("f1"), evaluation.metric("f1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> evaluation.metric("auc"));
    assertTrue(e.getMessage().contains("this evaluation has loss, accuracy, precision, precision[0]"), e.getMessage());
  }

  private static void assertConfusion(double[] expected, int[][] actual) {
    int c = actual.length;
    int[] flat = new int[c * c];
    for (int i = 0; i < c; i++) {
      System.arraycopy(actual[i], 0, flat, i * c, c);
    }
    assertArrayEquals(java.util.Arrays.stream(expected).mapToInt(v -> (int) v).toArray(), flat);
  }
}
