package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Adam with bias correction: w -= learningRate * m^ / (sqrt(v^) + epsilon). The optimizer a
 * network gets when it declares none.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Adam {
  /** {@return the learning rate, >= 0} */
  double learningRate() default 0.001;

  /** {@return the decay of the first-moment average, in [0, 1)} */
  double beta1() default 0.9;

  /** {@return the decay of the second-moment average, in [0, 1)} */
  double beta2() default 0.999;

  /** {@return the epsilon added to the denominator, > 0} */
  double epsilon() default 1e-7;
}
