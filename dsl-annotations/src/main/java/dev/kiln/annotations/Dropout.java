package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Inverted dropout: in training each value is zeroed with probability {@code value} and the rest
 * are scaled by 1 / (1 - value); identity at inference. Masks come from the model's seeded noise
 * stream, so a seed reproduces them.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dropout {
  /** {@return the dropout rate, in [0, 1)} */
  double value();
}
