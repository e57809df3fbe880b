"""``{% remembered %}``: a block rendered once per worker, language and the values
it names (apps.core.remembered), for what every page repeats.

    {% load remembered %}
    {% remembered user.is_authenticated request.resolver_match.view_name %}
      ... the navigation ...
    {% endremembered %}

The block must depend on nothing but the language and the values it names: it is
rendered for the first visitor with those values and served to every later one.
Name every value it reads, and keep anything about a person (a name, an address)
out of it. It holds no ``{% block %}`` (a child template would fill it once for
all pages). Its CSRF tokens are the one exception: the block is kept with a
placeholder (as apps.core.caching keeps whole pages) that becomes the current
visitor's token each time it is served.
"""

from django import template
from django.template.loader_tags import BlockNode
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from apps.core.caching import CSRF_PLACEHOLDER_TEXT
from apps.core.remembered import RememberedFragments

register = template.Library()


class RememberedNode(template.Node):
    def __init__(self, nodelist, vary_on):
        self.nodelist = nodelist
        self.vary_on = vary_on
        self.fragments = RememberedFragments()

    def render(self, context):
        key = (
            translation.get_language(),
            context.autoescape,
            *(value.resolve(context) for value in self.vary_on),
        )
        html = self.fragments.get(key)
        if html is None:
            with context.push(csrf_token=CSRF_PLACEHOLDER_TEXT):
                html = self.nodelist.render(context)
            self.fragments.keep(key, html)
        if CSRF_PLACEHOLDER_TEXT not in html:
            return html
        token = context.get("csrf_token")
        if not token or token == "NOTPROVIDED":
            # No token to give (rendered without a request): as Django would.
            return self.nodelist.render(context)
        # The block's own escaped HTML, and a token of letters and digits.
        token = conditional_escape(token)
        return mark_safe(html.replace(CSRF_PLACEHOLDER_TEXT, token))  # nosec B308 B703


@register.tag
def remembered(parser, token):
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endremembered",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError(
            "{% remembered %} cannot hold a {% block %}: it is rendered once "
            "for every page."
        )
    return RememberedNode(nodelist, vary_on)
