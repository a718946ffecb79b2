package dev.kiln.runtime;

/**
 * How {@link Model#fit} trains: epochs, batch size, shuffling, validation data and console output.
 * Immutable; each {@code with...} method returns a copy.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.epochs(100).withBatchSize(32).withValidation(xVal, yVal));
 * }</pre>
 */
public final class FitOptions {
  private final int epochs;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;
  private final float[][] validationX;
  private final float[][] validationY;
  private final int progressEvery;

  private FitOptions(
      int epochs, int batchSize, boolean shuffle, long seed, float[][] validationX, float[][] validationY,
      int progressEvery) {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, was " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    this.epochs = epochs;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.validationX = validationX;
    this.validationY = validationY;
    if (progressEvery < 0) {
      throw new IllegalArgumentException("progressEvery must be >= 0 (0 prints nothing), was " + progressEvery);
    }
    this.progressEvery = progressEvery;
  }

  /** Defaults as Keras's: batch size 32, shuffled every epoch (seed 0), progress printed. */
  public static FitOptions epochs(int epochs) {
    return new FitOptions(epochs, 32, true, 0L, null, null, 1);
  }

  public FitOptions withBatchSize(int batchSize) {
    return new FitOptions(epochs, batchSize, shuffle, seed, validationX, validationY, progressEvery);
  }

  /** Reshuffle the training samples before every epoch, from this seed. */
  public FitOptions withShuffle(long seed) {
    return new FitOptions(epochs, batchSize, true, seed, validationX, validationY, progressEvery);
  }

  /** Visit the samples in their given order every epoch. */
  public FitOptions withoutShuffle() {
    return new FitOptions(epochs, batchSize, false, seed, validationX, validationY, progressEvery);
  }

  /** Evaluate on this data after every epoch ({@code val_loss}, {@code val_accuracy}). */
  public FitOptions withValidation(float[][] x, float[][] y) {
    if (x == null || y == null) {
      throw new IllegalArgumentException("validation inputs and targets must both be given");
    }
    return new FitOptions(epochs, batchSize, shuffle, seed, x, y, progressEvery);
  }

  /** Print one progress line per epoch (default) or nothing. */
  public FitOptions withVerbose(boolean verbose) {
    return withProgressEvery(verbose ? 1 : 0);
  }

  /** Print a progress line every {@code epochs} epochs and after the last; 0 prints nothing. */
  public FitOptions withProgressEvery(int epochs) {
    return new FitOptions(this.epochs, batchSize, shuffle, seed, validationX, validationY, epochs);
  }

  public int epochs() {
    return epochs;
  }

  public int batchSize() {
    return batchSize;
  }

  public boolean shuffle() {
    return shuffle;
  }

  public long seed() {
    return seed;
  }

  public boolean verbose() {
    return progressEvery > 0;
  }

  /** Whether to print a progress line after {@code epoch} (1-based). */
  boolean printsProgressAfter(int epoch) {
    return progressEvery > 0 && (epoch % progressEvery == 0 || epoch == epochs);
  }

  float[][] validationX() {
    return validationX;
  }

  float[][] validationY() {
    return validationY;
  }
}
