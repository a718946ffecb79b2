package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A set of {@link Metric}s that {@code evaluate} computes besides loss and accuracy, e.g. {@code
 * model.evaluate(x, y, Metrics.of(PRECISION, RECALL, F1, TOP_K(3), AUC, CONFUSION))}; also usable on
 * predictions computed elsewhere (an {@link Ensemble}'s) with {@link #compute}.
 */
public final class Metrics {
  /** How targets encode the truth. */
  public enum Targets {
    /** One row per sample with a 1 at the class (categorical cross-entropy). */
    ONE_HOT,
    /** One value per sample, the class index (sparse categorical cross-entropy). */
    CLASS_INDEX,
    /** One 0/1 value per sample for a single sigmoid output (binary cross-entropy). */
    BINARY,
    /** Real-valued targets: only {@link Metric#MAE} applies. */
    REGRESSION
  }

  private final Set<Metric> metrics;

  private Metrics(Set<Metric> metrics) {
    this.metrics = metrics;
  }

  public static Metrics of(Metric... metrics) {
    Objects.requireNonNull(metrics, "metrics");
    Set<Metric> set = new LinkedHashSet<>();
    for (Metric m : metrics) {
      set.add(Objects.requireNonNull(m, "metric"));
    }
    return new Metrics(set);
  }

  /** No metric beyond loss and accuracy. */
  public static Metrics none() {
    return new Metrics(Set.of());
  }

  public List<Metric> list() {
    return List.copyOf(metrics);
  }

  public boolean contains(Metric metric) {
    return metrics.contains(metric);
  }

  /** The values of these metrics for {@code predictions} against {@code targets}. */
  public Result compute(float[][] predictions, float[][] targets, Targets encoding) {
    Objects.requireNonNull(predictions, "predictions");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(encoding, "encoding");
    if (predictions.length != targets.length) {
      throw new IllegalArgumentException(predictions.length + " predictions for " + targets.length + " targets");
    }
    if (predictions.length == 0) {
      throw new IllegalArgumentException("metrics need at least one sample");
    }
    Map<String, Double> values = new LinkedHashMap<>();
    int[][] confusion = null;
    boolean needsClasses = metrics.stream().anyMatch(Metric::classification);
    if (needsClasses && encoding == Targets.REGRESSION) {
      throw new IllegalArgumentException("metrics " + list() + " need class targets; a regression network has only "
          + Metric.MAE);
    }
    if (needsClasses) {
      int classes = encoding == Targets.BINARY ? 2 : predictions[0].length;
      if (encoding == Targets.BINARY && predictions[0].length != 1) {
        throw new IllegalArgumentException("binary metrics need a single output, the network has "
            + predictions[0].length + " (multi-label outputs get accuracy and MAE only)");
      }
      int[] truth = new int[targets.length];
      int[] predicted = new int[targets.length];
      for (int i = 0; i < targets.length; i++) {
        truth[i] = trueClass(targets[i], encoding, classes, i);
        predicted[i] = predictedClass(predictions[i], encoding);
      }
      confusion = new int[classes][classes];
      for (int i = 0; i < truth.length; i++) {
        confusion[truth[i]][predicted[i]]++;
      }
      for (Metric m : metrics) {
        if (m.equals(Metric.ACCURACY)) {
          long correct = 0;
          for (int c = 0; c < classes; c++) {
            correct += confusion[c][c];
          }
          values.put("accuracy", correct / (double) truth.length);
        } else if (m.equals(Metric.PRECISION) || m.equals(Metric.RECALL) || m.equals(Metric.F1)) {
          double[] perClass = perClass(m, confusion);
          double sum = 0;
          for (double v : perClass) {
            sum += v;
          }
          values.put(m.name(), sum / classes);
          for (int c = 0; c < classes; c++) {
            values.put(m.name() + "[" + c + "]", perClass[c]);
          }
        } else if (m.k() > 0) {
          values.put(m.name(), topK(predictions, truth, encoding, m.k()));
        } else if (m.equals(Metric.AUC)) {
          values.put("auc", auc(predictions, truth, encoding, classes));
        }
      }
    }
    if (metrics.contains(Metric.MAE)) {
      double sum = 0;
      long count = 0;
      for (int i = 0; i < predictions.length; i++) {
        if (targets[i].length != predictions[i].length) {
          throw new IllegalArgumentException("MAE needs targets as wide as the output (" + predictions[i].length
              + "), row " + i + " has " + targets[i].length);
        }
        for (int j = 0; j < predictions[i].length; j++) {
          sum += Math.abs((double) predictions[i][j] - targets[i][j]);
          count++;
        }
      }
      values.put("mae", sum / count);
    }
    return new Result(values, metrics.contains(Metric.CONFUSION) ? confusion : null);
  }

  /** The computed values and, when asked for, the confusion matrix (else null). */
  public record Result(Map<String, Double> values, int[][] confusion) {}

  private static int trueClass(float[] target, Targets encoding, int classes, int row) {
    switch (encoding) {
      case ONE_HOT:
        if (target.length != classes) {
          throw new IllegalArgumentException("target row " + row + " has " + target.length + " values for "
              + classes + " classes");
        }
        return argMax(target);
      case CLASS_INDEX: {
        float v = target[0];
        if (!(v >= 0 && v < classes) || v != Math.rint(v)) {
          throw new IllegalArgumentException("target row " + row + " is " + v + ", not a class index in [0, "
              + classes + ")");
        }
        return (int) v;
      }
      case BINARY:
        return target[0] > 0.5f ? 1 : 0;
      default:
        throw new AssertionError(encoding);
    }
  }

  private static int predictedClass(float[] prediction, Targets encoding) {
    return encoding == Targets.BINARY ? (prediction[0] > 0.5f ? 1 : 0) : argMax(prediction);
  }

  /** Index of the first largest value (as accuracy's argmax). */
  static int argMax(float[] values) {
    return dev.kiln.runtime.internal.Accuracy.argMax(values, 0, values.length);
  }

  private static double[] perClass(Metric m, int[][] confusion) {
    int classes = confusion.length;
    double[] out = new double[classes];
    for (int c = 0; c < classes; c++) {
      long tp = confusion[c][c];
      long predictedC = 0;
      long actualC = 0;
      for (int o = 0; o < classes; o++) {
        predictedC += confusion[o][c];
        actualC += confusion[c][o];
      }
      double precision = predictedC == 0 ? 0 : tp / (double) predictedC;
      double recall = actualC == 0 ? 0 : tp / (double) actualC;
      if (m.equals(Metric.PRECISION)) {
        out[c] = precision;
      } else if (m.equals(Metric.RECALL)) {
        out[c] = recall;
      } else {
        out[c] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      }
    }
    return out;
  }

  private static double topK(float[][] predictions, int[] truth, Targets encoding, int k) {
    if (encoding == Targets.BINARY) {
      throw new IllegalArgumentException("top-k accuracy needs several class outputs, a binary network has one");
    }
    long hits = 0;
    for (int i = 0; i < truth.length; i++) {
      float[] p = predictions[i];
      int t = truth[i];
      int above = 0; // classes ranked above the true one: higher score, or equal score and higher index
      for (int j = 0; j < p.length; j++) {
        if (p[j] > p[t] || (p[j] == p[t] && j > t)) {
          above++;
        }
      }
      hits += above < k ? 1 : 0;
    }
    return hits / (double) truth.length;
  }

  private static double auc(float[][] predictions, int[] truth, Targets encoding, int classes) {
    if (encoding == Targets.BINARY) {
      return binaryAuc(column(predictions, 0), truth, 1);
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      sum += binaryAuc(column(predictions, c), truth, c);
    }
    return sum / classes;
  }

  private static float[] column(float[][] rows, int j) {
    float[] out = new float[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i][j];
    }
    return out;
  }

  /**
   * ROC AUC of {@code scores} for "truth == positive": the Mann-Whitney statistic with average
   * ranks for ties, equal to the trapezoidal area under the ROC curve.
   */
  private static double binaryAuc(float[] scores, int[] truth, int positive) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
    double positiveRankSum = 0;
    long positives = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1; // average 1-based rank of the tie group
      for (int t = i; t <= j; t++) {
        if (truth[order[t]] == positive) {
          positiveRankSum += rank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      throw new IllegalArgumentException("ROC AUC is undefined when " + (positives == 0 ? "no" : "every")
          + " sample is of class " + positive + " (one class only in the targets)");
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** The confusion matrix as a table: rows true classes, columns predicted ones. */
  public static String confusionTable(int[][] confusion) {
    Objects.requireNonNull(confusion, "confusion");
    int width = 4;
    for (int[] row : confusion) {
      for (int v : row) {
        width = Math.max(width, Integer.toString(v).length() + 1);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format("%-10s", "true\\pred"));
    for (int c = 0; c < confusion.length; c++) {
      out.append(String.format("%" + width + "d", c));
    }
    out.append('\n');
    for (int r = 0; r < confusion.length; r++) {
      out.append(String.format("%-10d", r));
      for (int v : confusion[r]) {
        out.append(String.format("%" + width + "d", v));
      }
      out.append('\n');
    }
    return out.toString();
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    metrics.forEach(m -> names.add(m.name()));
    return "Metrics" + names;
  }
}
