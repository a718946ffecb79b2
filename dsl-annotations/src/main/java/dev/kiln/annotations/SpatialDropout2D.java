package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Spatial dropout on images [height, width, channels] (Keras's SpatialDropout2D, PyTorch's
 * {@code nn.Dropout2d}): in training each channel of each sample is zeroed at every position with
 * probability {@code value}, and the kept channels are scaled by 1 / (1 - value); identity at
 * inference. Neighbouring pixels of a feature map are strongly correlated, so dropping single
 * values (plain {@link Dropout}) regularizes convolutions little. Masks come from the model's
 * seeded noise stream, as {@link Dropout}'s do.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface SpatialDropout2D {
  /** {@return the probability of dropping a channel, in [0, 1)} */
  double value();
}
