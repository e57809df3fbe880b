"""``{% url %}`` as Django's, its URLs worked out once per worker and language
(apps.core.remembered). A template builtin (settings.TEMPLATES), so every template's
``{% url %}`` is this one."""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from apps.core.remembered import remembered_reverse

register = template.Library()


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context):
        # django.template.defaulttags.URLNode.render, with remembered_reverse().
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = remembered_reverse(
                view_name, args=args, kwargs=kwargs, current_app=current_app
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
