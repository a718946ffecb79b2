package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Adds zero-mean Gaussian noise to its input in training (a regularizer); identity at inference.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface GaussianNoise {
  /** {@return the standard deviation of the noise, >= 0} */
  double stddev();
}
