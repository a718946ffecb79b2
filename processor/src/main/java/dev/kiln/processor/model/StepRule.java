package dev.kiln.processor.model;

/**
 * How a layer treats the leading axis of its inputs, the time axis of a sequence network, which
 * decides whether the network can run one time step at a time ({@code ModelCore.step}): the step
 * program is the same layers planned for a sequence of length 1, so every layer must give, for one
 * step, what it gives at that position of the whole sequence.
 */
public enum StepRule {
  /**
   * Acts on each position of the leading axes alone (Dense, activations, Embedding, Add,
   * Concatenate, and at inference dropout, noise and normalization): a step in, the same step out.
   */
  PER_POSITION,
  /** A recurrent layer returning sequences: carries its state from step to step; a step in, a step out. */
  SEQUENCE,
  /**
   * A recurrent layer returning its last step: carries its state; its output after a step is its
   * output for the sequence up to that step, and has no time axis.
   */
  LAST_STEP,
  /** Mixes positions (Flatten, Reshape, convolutions, pools): fine only on data without a time axis. */
  MIXES_POSITIONS
}
