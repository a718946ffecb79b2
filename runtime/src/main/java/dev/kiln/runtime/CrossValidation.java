package dev.kiln.runtime;

import dev.kiln.runtime.data.Splits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * k-fold cross-validation driving a model factory: for each fold a new model (from the factory) is
 * fitted on the other folds and evaluated on this one. {@link #run} splits at random ({@link
 * Splits#kFold}), {@link #stratified} keeps each class's share in every fold ({@link
 * Splits#stratifiedKFold}, the class read from the targets as accuracy reads it).
 */
public final class CrossValidation {
  private CrossValidation() {}

  /** k-fold cross-validation; fold {@code i} is evaluated with {@code metrics} after fitting. */
  public static Result run(int k, long seed, Supplier<? extends Model> factory, float[][] x, float[][] y,
      FitOptions options, Metrics metrics) {
    Objects.requireNonNull(x, "x");
    return folds(Splits.kFold(x.length, k, seed), factory, x, y, options, metrics);
  }

  /** Stratified k-fold cross-validation (classification networks). */
  public static Result stratified(int k, long seed, Supplier<? extends Model> factory, float[][] x, float[][] y,
      FitOptions options, Metrics metrics) {
    Objects.requireNonNull(y, "y");
    int[] labels = new int[y.length];
    for (int i = 0; i < y.length; i++) {
      float[] row = Objects.requireNonNull(y[i], "target row " + i);
      if (row.length == 1) {
        float v = row[0];
        if (v != Math.rint(v) || v < 0) {
          throw new IllegalArgumentException("stratified folds need class targets; row " + i + " is " + v);
        }
        labels[i] = (int) v; // a class index, or 0/1 for a binary target
      } else {
        labels[i] = Metrics.argMax(row);
      }
    }
    return folds(Splits.stratifiedKFold(labels, k, seed), factory, x, y, options, metrics);
  }

  private static Result folds(List<Splits.Fold> folds, Supplier<? extends Model> factory, float[][] x, float[][] y,
      FitOptions options, Metrics metrics) {
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(metrics, "metrics");
    List<Evaluation> evaluations = new ArrayList<>();
    for (Splits.Fold fold : folds) {
      Model model = Objects.requireNonNull(factory.get(), "the factory returned null");
      model.fit(Splits.select(x, fold.train()), Splits.select(y, fold.train()), options);
      evaluations.add(model.evaluate(Splits.select(x, fold.validation()), Splits.select(y, fold.validation()),
          metrics));
    }
    return new Result(evaluations);
  }

  /**
   * Each fold's evaluation on its held-out part.
   *
   * @param folds one evaluation per fold, in fold order
   */
  public record Result(List<Evaluation> folds) {
    public Result {
      folds = List.copyOf(folds);
    }

    /** A metric ({@link Evaluation#metric}) of every fold. */
    public double[] values(String metric) {
      return folds.stream().mapToDouble(e -> e.metric(metric)).toArray();
    }

    public double mean(String metric) {
      double sum = 0;
      for (double v : values(metric)) {
        sum += v;
      }
      return sum / folds.size();
    }

    /** The population standard deviation over folds (numpy's default, ddof = 0). */
    public double std(String metric) {
      double mean = mean(metric);
      double sum = 0;
      for (double v : values(metric)) {
        sum += (v - mean) * (v - mean);
      }
      return Math.sqrt(sum / folds.size());
    }

    /** One line per fold and a mean +- std line for each named metric. */
    public String table(String... metrics) {
      StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-6s", "fold"));
      for (String m : metrics) {
        out.append(String.format(Locale.ROOT, " %18s", m));
      }
      out.append('\n');
      for (int f = 0; f < folds.size(); f++) {
        out.append(String.format(Locale.ROOT, "%-6d", f + 1));
        for (String m : metrics) {
          out.append(String.format(Locale.ROOT, " %18.4f", folds.get(f).metric(m)));
        }
        out.append('\n');
      }
      out.append(String.format(Locale.ROOT, "%-6s", "mean"));
      for (String m : metrics) {
        out.append(String.format(Locale.ROOT, " %9.4f +- %6.4f", mean(m), std(m)));
      }
      out.append('\n');
      return out.toString();
    }
  }
}
