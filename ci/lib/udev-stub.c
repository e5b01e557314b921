/*
 * udev-stub.c - the five libudev entry points that Debian's libhwloc.a
 * references, for the static build (make static) only.
 *
 * Why: Debian ships libudev as a shared library only, so `-static` cannot
 * resolve hwloc's references to it.  hwloc uses udev for one thing: filling
 * in block-device attributes (vendor, model, serial) of I/O objects, which
 * primbench never asks for.  hwloc treats a NULL handle from udev_new() as
 * "no udev" (it checks the handle before every use and falls back to
 * sysfs), so these stubs make the static binary behave as hwloc does on a
 * host without udev.  The dynamic build never links this file.
 */
#include <stddef.h>

struct udev;
struct udev_device;

struct udev *udev_new(void);
struct udev *udev_unref(struct udev *udev);
struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev,
							   const char *subsystem,
							   const char *sysname);
const char *udev_device_get_property_value(struct udev_device *dev, const char *key);
struct udev_device *udev_device_unref(struct udev_device *dev);

/* No udev context: hwloc then skips every udev lookup. */
struct udev *udev_new(void)
{
	return NULL;
}

/* Releasing nothing; libudev returns NULL once the last reference is gone. */
struct udev *udev_unref(struct udev *udev)
{
	(void)udev;
	return NULL;
}

/* Unreachable with a NULL context; NULL means "no such device" to callers. */
struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev,
							   const char *subsystem,
							   const char *sysname)
{
	(void)udev;
	(void)subsystem;
	(void)sysname;
	return NULL;
}

/* No properties: callers treat NULL as "attribute unknown". */
const char *udev_device_get_property_value(struct udev_device *dev, const char *key)
{
	(void)dev;
	(void)key;
	return NULL;
}

/* Releasing nothing, as udev_unref. */
struct udev_device *udev_device_unref(struct udev_device *dev)
{
	(void)dev;
	return NULL;
}
