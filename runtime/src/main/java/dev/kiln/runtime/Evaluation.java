package dev.kiln.runtime;

/**
 * Loss and accuracy over a data set.
 *
 * @param loss the mean loss
 * @param accuracy the accuracy the loss implies (see {@link Accuracy}), NaN for regression losses
 */
public record Evaluation(double loss, double accuracy) {}
