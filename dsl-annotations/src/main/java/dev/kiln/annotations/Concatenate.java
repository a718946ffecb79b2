package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Joins two or more inputs along their last axis (Keras's {@code Concatenate(axis=-1)}); every
 * other axis must agree. The method's parameters name the layers it joins, in order.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Concatenate {}
