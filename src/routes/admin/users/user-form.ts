/**
 * The user form's values, shared by its component and the create and edit actions: what was submitted, to fill
 * the form again after a refusal. Ticks are kept; the password never is.
 */
export function userFormValues(form: Record<string, FormDataEntryValue>) {
	const text = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
	return {
		username: text('username'),
		displayName: text('displayName'),
		agencyCode: text('agencyCode'),
		teamId: text('teamId'),
		phone: text('phone'),
		isAdmin: form.isAdmin === 'on',
		clearedPersonalData: form.clearedPersonalData === 'on'
	};
}

export type UserFormValues = ReturnType<typeof userFormValues>;
